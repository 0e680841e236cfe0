import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { AnyPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { tellFunction } from '../../functions/config/function-environment.js';
import { deadLetterAlarm, deadLetterQueue } from './dead-letters.js';
import type { StackFunction } from './stack-function.js';

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
  readonly #maxAttempts: number;

  constructor(scope: Construct, id: string, props: RetryQueueProps) {
    super(scope, id);
    this.#maxAttempts = props.maxAttempts;
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters');
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

    this.deadLetterAlarm = deadLetterAlarm(this, this.deadLetterQueue, {
      alarmName: `${props.namePrefix}-dead-letters`,
      alarmDescription:
        'Deliveries used up their retries and wait in the dead-letter queue. Each message has a "reason" attribute; ' +
        'replay them with aws sqs start-message-move-task once the cause is fixed (README, Failure modes).',
      threshold: props.deadLetterThreshold,
      period: props.alarmPeriod,
    });
  }

  /**
   * Hand-offs from the webhook, the consumer's housekeeping, and moves to the dead-letter queue.
   * Only the function's role (and the principals named for redrives) may send: a message in the
   * retry queue makes the function write a status with its tokens, so no one else may put one there.
   */
  /** Grants the webhook's function the queues (see `grantUse`) and tells it their URLs and attempts. */
  connect(fn: StackFunction, redrivePrincipals: readonly string[] = []): void {
    this.grantUse(fn.role, redrivePrincipals);
    tellFunction(fn.function, fn.kind, {
      retryQueue: {
        url: this.queue.queueUrl,
        deadLetterUrl: this.deadLetterQueue.queueUrl,
        maxAttempts: this.#maxAttempts,
      },
    });
  }

  private grantUse(role: IRole, redrivePrincipals: readonly string[]): void {
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
