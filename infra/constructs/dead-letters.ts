import { Duration, Validations } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** A dead-letter queue: encrypted, TLS only, kept two weeks for a person and a redrive. */
export function deadLetterQueue(scope: Construct, id: string, fifo = false): Queue {
  const queue = new Queue(scope, id, {
    ...(fifo ? { fifo: true } : {}),
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This is the dead-letter queue: its messages wait for a person and a redrive, not for another queue.',
  });
  return queue;
}

/** The alarm of a dead-letter queue: raised while it holds `threshold` messages or more. */
export function deadLetterAlarm(
  scope: Construct,
  queue: Queue,
  props: { alarmName: string; alarmDescription: string; threshold: number; period: Duration },
): Alarm {
  return queue
    .metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: props.period })
    .createAlarm(scope, 'DeadLetterAlarm', {
      alarmName: props.alarmName,
      alarmDescription: props.alarmDescription,
      threshold: props.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
}
