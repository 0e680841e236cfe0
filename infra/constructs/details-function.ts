import { Duration } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { Code, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { createStackFunction } from './stack-function.js';

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
  readonly kind = 'details' as const;
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: DetailsFunctionProps) {
    super(scope, id);
    ({
      function: this.function,
      role: this.role,
      logGroup: this.logGroup,
    } = createStackFunction(this, this.kind, {
      code: props.code,
      description: 'Flux commit status: the details pages that statuses link to',
      roleDescription:
        'flux-commit-status details pages: reads the ledger and the page key, writes its log group',
      memorySize: props.memorySize,
      timeout: DETAILS_TIMEOUT,
      logRetention: props.logRetention,
    }));
  }
}
