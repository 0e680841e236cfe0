import type { Duration } from 'aws-cdk-lib';
import { type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type FunctionKind, tellFunction } from '../../functions/config/function-environment.js';

/**
 * A function of the stack as the resources it uses connect to it: a resource grants the role its
 * calls and sets the variables that say where it is, in one call (`connect`).
 */
export interface StackFunction {
  kind: FunctionKind;
  function: LambdaFunction;
  role: IRole;
}

export interface StackFunctionProps {
  code: Code;
  /** The function's description in the console. */
  description: string;
  /** The role's description: what the function may do. */
  roleDescription: string;
  memorySize: number;
  timeout: Duration;
  logRetention: RetentionDays;
  reservedConcurrentExecutions?: number | undefined;
}

/**
 * The parts every function of the stack has, made in `scope` (ids `Logs`, `Role`, `Handler`): its
 * own log group, created here rather than by Lambda on first write so that it has a retention from
 * day one; a role that may write that log group and nothing more until resources connect to it
 * (without the managed AWSLambdaBasicExecutionRole, whose log permissions cover every log group);
 * the bundle on the Node.js runtime and architecture Lambda runs; and its kind and the service's names.
 */
export function createStackFunction(
  scope: Construct,
  kind: FunctionKind,
  props: StackFunctionProps,
): { function: LambdaFunction; role: Role; logGroup: LogGroup } {
  const logGroup = new LogGroup(scope, 'Logs', { retention: props.logRetention });
  const role = new Role(scope, 'Role', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  logGroup.grantWrite(role);
  const fn = new LambdaFunction(scope, 'Handler', {
    code: props.code,
    handler: 'index.handler',
    description: props.description,
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    ...(props.reservedConcurrentExecutions === undefined
      ? {}
      : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
    role,
    logGroup,
  });
  // Each resource it uses adds its own variables as it is connected.
  tellFunction(fn, kind, {});
  return { function: fn, role, logGroup };
}
