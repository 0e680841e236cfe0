import { Duration, Validations } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AnyPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface RetryQueueProps {
  /** The function that consumes the queue; its timeout sets the queue's visibility timeout. */
  consumer: IFunction;
  consumerTimeout: Duration;
  maxAttempts: number;
  deadLetterThreshold: number;
  alarmPeriod: Duration;
  namePrefix: string;
}

/**
 * Where a delivery goes when the forge still fails at the end of Flux's 15 seconds, and where it ends
 * when every attempt failed. The function sets each message's backoff itself and moves it to the
 * dead-letter queue with its reason; the redrive policy is the safety net behind that.
 */
export class RetryQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: RetryQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This is the dead-letter queue: its messages wait for a person and a redrive, not for another queue.',
    });
    this.queue = new Queue(this, 'Retries', {
      // Lambda's advice: six times the function timeout, so a slow batch is not handed out twice.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxAttempts + 2 },
    });
    props.consumer.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 5, reportBatchItemFailures: true }),
    );

    this.deadLetterAlarm = this.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: props.alarmPeriod })
      .createAlarm(this, 'DeadLetterAlarm', {
        alarmName: `${props.namePrefix}-dead-letters`,
        alarmDescription:
          'Deliveries used up their retries and wait in the dead-letter queue. Each message has a "reason" attribute; ' +
          'replay them with aws sqs start-message-move-task once the cause is fixed (README, Failure modes).',
        threshold: props.deadLetterThreshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
  }

  /**
   * Hand-offs from the webhook, the consumer's housekeeping, and moves to the dead-letter queue.
   * Only the function's role (and the principals named for redrives) may send: a message in the
   * retry queue makes the function write a status with its tokens, so no one else may put one there.
   */
  grantUse(role: IRole, redrivePrincipals: readonly string[] = []): void {
    this.queue.grantSendMessages(role);
    this.queue.grantConsumeMessages(role);
    this.deadLetterQueue.grantSendMessages(role);
    for (const [queue, allowed] of [
      [this.queue, [role.roleArn, ...redrivePrincipals]],
      [this.deadLetterQueue, [role.roleArn]],
    ] as const) {
      queue.addToResourcePolicy(
        new PolicyStatement({
          sid: 'OnlyTheFunctionSends',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': allowed } },
        }),
      );
    }
  }
}
