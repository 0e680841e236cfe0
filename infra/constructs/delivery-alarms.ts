import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Deployment } from '../../functions/config/deployment-schema.js';
import {
  DETAILS_PAGE_FAILURES_METRIC,
  FAILED_DELIVERIES_METRIC,
  METRICS_NAMESPACE,
  SERVICE_NAME,
} from '../../functions/config/function-environment.js';

/**
 * Every final failure of every route (a refusal, or a queued delivery's last attempt), as Powertools
 * emits it: dimension `service` only. A queued attempt that will be tried again is not one.
 */
export function failedDeliveriesMetric(period: Duration): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: FAILED_DELIVERIES_METRIC,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: Stats.SUM,
    period,
  });
}

export interface DeliveryAlarmsProps {
  handler: IFunction;
  alarm: Deployment['alarm'];
  /** Alarm names start with it, so that a notification says which environment it is about. */
  namePrefix: string;
  /** Where the reasons are: named in the alarm description, which notifications carry. */
  queryName: string;
  /** The environment serves details pages: a page that cannot be served raises an alarm of its own. */
  detailsPage?: boolean;
}

/**
 * Two alarms, with the same optional SNS topic: failed deliveries as the function counts them, and
 * function errors or throttles, which fail a delivery before the function can count it (a crash at
 * start-up, a timeout, reserved concurrency exhausted).
 */
export class DeliveryAlarms extends Construct {
  readonly failedDeliveries: Alarm;
  readonly functionErrors: Alarm;
  readonly detailsPageFailures: Alarm | undefined;

  constructor(scope: Construct, id: string, props: DeliveryAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(props.alarm.periodMinutes);
    const where = `Read why in CloudWatch Logs Insights, saved query "${props.queryName}".`;

    this.failedDeliveries = failedDeliveriesMetric(period).createAlarm(this, 'FailedDeliveries', {
      alarmName: `${props.namePrefix}-failed-deliveries`,
      alarmDescription: `Flux events could not be written as commit statuses, for good: refused, or out of retries. ${where}`,
      threshold: props.alarm.failedDeliveries,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No deliveries is no failure.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.functionErrors = new MathExpression({
      // Lambda reports Throttles only while it throttles; FILL keeps the sum defined meanwhile.
      expression: 'FILL(errors, 0) + FILL(throttles, 0)',
      usingMetrics: {
        errors: props.handler.metricErrors({ statistic: Stats.SUM, period }),
        throttles: props.handler.metricThrottles({ statistic: Stats.SUM, period }),
      },
      label: 'Function errors and throttles',
      period,
    }).createAlarm(this, 'FunctionErrors', {
      alarmName: `${props.namePrefix}-function-errors`,
      alarmDescription: `The webhook function crashed, timed out or was throttled, so Flux got no answer. ${where}`,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.detailsPageFailures = props.detailsPage
      ? new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: DETAILS_PAGE_FAILURES_METRIC,
          dimensionsMap: { service: SERVICE_NAME },
          statistic: Stats.SUM,
          period,
        }).createAlarm(this, 'DetailsPageFailures', {
          alarmName: `${props.namePrefix}-details-page-failures`,
          alarmDescription: `Details pages answered 503: the page key secret or the table could not be read (a key without "token", or shorter than 32 bytes, after a rotation). Log line "details page failed".`,
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        })
      : undefined;

    if (props.alarm.snsTopicArn !== undefined) {
      const action = new SnsAction(Topic.fromTopicArn(this, 'Topic', props.alarm.snsTopicArn));
      for (const alarm of [
        this.failedDeliveries,
        this.functionErrors,
        ...(this.detailsPageFailures ? [this.detailsPageFailures] : []),
      ]) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }
}
