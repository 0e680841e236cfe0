import { Duration } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { Code, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DeliveryLedger } from './delivery-ledger.js';
import { createStackFunction } from './stack-function.js';
import type { WebhookSecrets } from './webhook-secrets.js';

export interface PendingSweepProps {
  /** The webhook's own code: the handler tells a scheduled event from the others. */
  code: Code;
  ledger: DeliveryLedger;
  secrets: WebhookSecrets;
  every: Duration;
  memorySize: number;
  logRetention: RetentionDays;
  /** Alarm names start with it, like the other alarms of the environment. */
  namePrefix: string;
}

/** Long enough for a thousand resolutions, eight at a time, each within the forge's 9 s budget. */
const SWEEP_TIMEOUT = Duration.minutes(2);

/**
 * The pending sweep (functions/pending/sweep.ts) on a schedule: a function of its own, so that its
 * role holds only what it reads and writes (the index's query, the ledger's items, the forge
 * secrets), with its own log group, and an alarm when a run fails.
 */
export class PendingSweep extends Construct {
  readonly kind = 'sweep' as const;
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly rule: Rule;
  readonly failures: Alarm;

  constructor(scope: Construct, id: string, props: PendingSweepProps) {
    super(scope, id);
    ({
      function: this.function,
      role: this.role,
      logGroup: this.logGroup,
    } = createStackFunction(this, this.kind, {
      code: props.code,
      description: 'Flux commit status: resolves pending statuses that no verdict followed',
      roleDescription: 'flux-commit-status pending sweep: queries the pending index, writes statuses',
      memorySize: props.memorySize,
      timeout: SWEEP_TIMEOUT,
      logRetention: props.logRetention,
    }));
    props.ledger.connect(this);
    props.ledger.grantPendingQuery(this.role);
    props.secrets.grantForgeRead(this.role);

    // A missed run is made up by the next one: what is due stays due, so no retry is needed.
    this.rule = new Rule(this, 'Schedule', {
      description: `Runs the pending sweep every ${props.every.toMinutes()} minutes`,
      schedule: Schedule.rate(props.every),
      targets: [new LambdaTarget(this.function, { retryAttempts: 0, maxEventAge: props.every })],
    });

    this.failures = this.function
      .metricErrors({ statistic: Stats.SUM, period: Duration.minutes(15) })
      .createAlarm(this, 'Failures', {
        alarmName: `${props.namePrefix}-pending-sweep-failures`,
        alarmDescription:
          'The pending sweep failed: resolutions stay due (the forge or the ledger failed); see its log group.',
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
  }
}
