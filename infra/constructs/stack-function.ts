import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { FunctionKind } from '../../functions/config/function-environment.js';

/**
 * A function of the stack as the resources it uses connect to it: a resource grants the role its
 * calls and sets the variables that say where it is, in one call (`connect`).
 */
export interface StackFunction {
  kind: FunctionKind;
  function: LambdaFunction;
  role: IRole;
}
