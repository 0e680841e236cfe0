import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import {
  AnyPrincipal,
  Effect,
  Grant,
  type IGrantable,
  type IRole,
  PolicyStatement,
} from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FLEET_TABLE_KEY } from '../../functions/ledger/dynamodb-cluster-verdicts.js';
import { deadLetterAlarm, deadLetterQueue } from './dead-letters.js';

export interface FleetRollupsProps {
  /** The function that consumes the recompute queue; its timeout sets the visibility timeout. */
  consumer: IFunction;
  consumerTimeout: Duration;
  /** Receives of one recompute before SQS moves its messages to the dead-letter queue. */
  maxReceiveCount: number;
  deadLetterThreshold: number;
  alarmPeriod: Duration;
  namePrefix: string;
}

/**
 * What fleet environments add (functions/fleet/): the fleet table, one small item per cluster and
 * roll-up (the roll-up its partition, so its clusters are one Query), and the FIFO queue whose
 * message group is the roll-up, so its event source mapping runs one recompute per roll-up at a
 * time; what fails every receive ends in a FIFO dead-letter queue, with an alarm.
 */
export class FleetRollups extends Construct {
  readonly table: Table;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: FleetRollupsProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: FLEET_TABLE_KEY.partitionKey, type: AttributeType.STRING },
      sortKey: { name: FLEET_TABLE_KEY.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters', true);
    this.queue = new Queue(this, 'Recomputes', {
      fifo: true,
      // Deduplication by the id the webhook gives (one report), not by the body (one roll-up).
      contentBasedDeduplication: false,
      // Lambda's advice: six times the function timeout, so a slow batch is not handed out twice.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
    // Ten requests of one roll-up are one recompute; the mapping runs one batch per group at a time.
    props.consumer.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    this.deadLetterAlarm = deadLetterAlarm(this, this.deadLetterQueue, {
      alarmName: `${props.namePrefix}-rollup-dead-letters`,
      alarmDescription:
        'Roll-up recomputes failed on every receive: the roll-up may not show its clusters newest verdicts. ' +
        'The function log has each one\'s reason ("roll-up recompute dead-lettered"); redrive them once the cause is fixed.',
      threshold: props.deadLetterThreshold,
      period: props.alarmPeriod,
    });
  }

  /**
   * The webhook's part: its report's conditional PutItem (and the GetItem behind a failed
   * condition), the consumer's Query, the queue's send and consume. Only the function's role may
   * send: a request makes the function write a roll-up with its tokens.
   */
  grantUse(role: IRole): void {
    this.grantTable(role);
    this.queue.grantSendMessages(role);
    this.queue.grantConsumeMessages(role);
    this.queue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheFunctionSends',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [role.roleArn] } },
      }),
    );
  }

  /** The details pages' one call: a roll-up's page is a Query of its clusters, and nothing is written. */
  grantPageQuery(grantee: IGrantable): void {
    Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [this.table.tableArn] });
  }

  /** The items' three calls, on the table alone. */
  grantTable(grantee: IGrantable): void {
    Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
      resourceArns: [this.table.tableArn],
    });
  }
}
