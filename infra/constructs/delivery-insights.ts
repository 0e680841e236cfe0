import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmWidget,
  Dashboard,
  GraphWidget,
  LogQueryWidget,
  MathExpression,
  Stats,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ILogGroup, QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DELIVERIES_METRIC, METRICS_NAMESPACE } from '../../functions/config/function-environment.js';
import type { DeliveryAlarms } from './delivery-alarms.js';

/**
 * The deliveries that need a look, newest first. The fields are those of the function's log line (a
 * DeliveryRecord in functions/delivery/delivery-record.ts); `rejected` is Flux's or the config's fault, `failed`
 * the forge's or Secrets Manager's; `dead-lettered`, a delivery that used up its retries.
 */
export const FAILED_DELIVERIES_FIELDS = [
  'route',
  'cluster',
  'object',
  'sha',
  'context',
  'outcome',
  'statusCode',
  'forgeStatus',
  'error',
  'reason',
] as const;

export const FAILED_DELIVERIES_QUERY = new QueryString({
  fields: ['@timestamp', ...FAILED_DELIVERIES_FIELDS],
  filterStatements: ['outcome in ["failed", "rejected", "dead-lettered"]'],
  sort: '@timestamp desc',
});

export interface DeliveryInsightsProps {
  /** The saved query's name; a "/" in it shows as a folder in the console. */
  queryName: string;
  dashboardName: string;
  handler: IFunction;
  functionLogs: ILogGroup;
  api: HttpApi;
  alarms: DeliveryAlarms;
}

/** The saved Logs Insights query "failed deliveries" and a one-screen dashboard. */
export class DeliveryInsights extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: DeliveryInsightsProps) {
    super(scope, id);
    new QueryDefinition(this, 'FailedDeliveries', {
      queryDefinitionName: props.queryName,
      queryString: FAILED_DELIVERIES_QUERY,
      logGroups: [props.functionLogs],
    });

    const period = Duration.minutes(5);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Deliveries by outcome and forge',
        width: 12,
        left: [
          // One line per outcome and forge that occurred, without listing them here.
          new MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},service,outcome,forge} MetricName="${DELIVERIES_METRIC}"', 'Sum', ${period.toSeconds()})`,
            period,
          }),
        ],
      }),
      new AlarmWidget({ title: 'Failed deliveries', width: 12, alarm: props.alarms.failedDeliveries }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function',
        width: 12,
        left: [
          props.handler.metricInvocations({ statistic: Stats.SUM, period }),
          props.handler.metricErrors({ statistic: Stats.SUM, period }),
          props.handler.metricThrottles({ statistic: Stats.SUM, period }),
        ],
        right: [props.handler.metricDuration({ statistic: Stats.percentile(99), period })],
      }),
      new GraphWidget({
        title: 'API',
        width: 12,
        left: [
          props.api.metricCount({ statistic: Stats.SUM, period }),
          props.api.metricClientError({ statistic: Stats.SUM, period }),
          props.api.metricServerError({ statistic: Stats.SUM, period }),
        ],
        right: [props.api.metricLatency({ statistic: Stats.percentile(99), period })],
      }),
    );
    this.dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Failed and rejected deliveries',
        width: 24,
        height: 8,
        logGroupNames: [props.functionLogs.logGroupName],
        queryString: FAILED_DELIVERIES_QUERY.toString(),
      }),
    );
  }
}
