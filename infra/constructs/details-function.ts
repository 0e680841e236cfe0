import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface DetailsFunctionProps {
  /** The webhook's own code: the handler serves a GET /details request whichever function gets it. */
  code: Code;
  memorySize: number;
  logRetention: RetentionDays;
}

/** A page is one read and one render; a slow table or Secrets Manager answers 503 before this. */
const DETAILS_TIMEOUT = Duration.seconds(10);

/**
 * The details pages (`GET /details/<token>`) in a function of their own, so that a flood of page
 * requests uses its own concurrency, not the webhook's, and its role only reads: the log group it
 * writes, the ledger's items, a Query of the fleet table (a roll-up's clusters) and the secrets it
 * is given (the page key and the routes' secrets it scrubs), and nothing it could write a status or
 * a queue message with.
 */
export class DetailsFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: DetailsFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'flux-commit-status details pages: reads the ledger and the page key, writes its log group',
    });
    this.logGroup.grantWrite(this.role);
    this.function = new LambdaFunction(this, 'Handler', {
      code: props.code,
      handler: 'index.handler',
      description: 'Flux commit status: the details pages that statuses link to',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: DETAILS_TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
    });
  }
}
