import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { promotionSecretsOf } from '../functions/config/fleet-environments.js';
import {
  type FunctionKind,
  functionVariables,
  type StackValues,
} from '../functions/webhook/function-environment.js';
import { DeliveryAlarms } from './constructs/delivery-alarms.js';
import { DeliveryInsights } from './constructs/delivery-insights.js';
import { DeliveryLedger } from './constructs/delivery-ledger.js';
import { DetailsFunction } from './constructs/details-function.js';
import { FleetRollups } from './constructs/fleet-rollups.js';
import { PendingSweep } from './constructs/pending-sweep.js';
import { RetryQueue } from './constructs/retry-queue.js';
import { WebhookApi } from './constructs/webhook-api.js';
import { WebhookFunction } from './constructs/webhook-function.js';
import { secretNamesOf, WebhookSecrets } from './constructs/webhook-secrets.js';
import type { Environment } from './environments.js';
import { webhookUrlOutputName } from './output-names.js';

export interface FluxCommitStatusStackProps extends StackProps {
  environment: Environment;
}

/**
 * One environment: its routes behind one HTTP API and one function, the secrets they name, and the
 * alarms, saved query and dashboard that say when and why a delivery failed.
 */
export class FluxCommitStatusStack extends Stack {
  readonly secrets: WebhookSecrets;
  readonly webhook: WebhookFunction;
  readonly api: WebhookApi;
  readonly alarms: DeliveryAlarms;
  readonly insights: DeliveryInsights;
  readonly ledger: DeliveryLedger | undefined;
  readonly retryQueue: RetryQueue | undefined;
  readonly fleet: FleetRollups | undefined;
  readonly pendingSweep: PendingSweep | undefined;
  readonly detailsFunction: DetailsFunction | undefined;

  constructor(scope: Construct, id: string, props: FluxCommitStatusStackProps) {
    super(scope, id, props);
    const { config, configFile } = props.environment;
    const { deployment } = config;
    // The config schema admits only the periods CloudWatch Logs knows (LOG_RETENTION_DAYS).
    const logRetention = deployment.logRetentionDays as RetentionDays;
    const queryName = `${this.stackName}/failed deliveries`;

    this.secrets = new WebhookSecrets(this, 'Secrets', {
      routes: config.routes,
      environmentSecrets: [
        ...promotionSecretsOf(config.environments),
        ...(config.detailsPage === undefined ? [] : [config.detailsPage.secret]),
      ],
      createPlaceholders: deployment.createPlaceholderSecrets,
    });
    // What the functions read at cold start, filled in as the resources are made and given to each
    // function at the end (functions/webhook/function-environment.ts), so that none misses one.
    const values: StackValues = {};
    this.webhook = new WebhookFunction(this, 'Webhook', { configFile, deployment, logRetention });
    this.secrets.grantRead(this.webhook.role);
    if (deployment.ledger) {
      this.ledger = new DeliveryLedger(this, 'Ledger');
      this.ledger.grantUse(this.webhook.role);
      values.ledgerTable = this.ledger.table.tableName;
    }
    // Fleet environments share the ledger's records with their own table and recompute queue.
    if (this.ledger !== undefined && Object.keys(config.environments).length > 0) {
      this.fleet = new FleetRollups(this, 'Fleet', {
        consumer: this.webhook.function,
        consumerTimeout: Duration.seconds(deployment.timeoutSeconds),
        maxReceiveCount: deployment.retryQueue.maxAttempts,
        deadLetterThreshold: deployment.alarm.deadLetters,
        alarmPeriod: Duration.minutes(deployment.alarm.periodMinutes),
        namePrefix: this.stackName,
      });
      this.fleet.grantUse(this.webhook.role);
      values.fleet = {
        table: this.fleet.table.tableName,
        recomputeQueueUrl: this.fleet.queue.queueUrl,
        maxReceives: deployment.retryQueue.maxAttempts,
      };
      if (deployment.alarm.snsTopicArn !== undefined) {
        const action = new SnsAction(Topic.fromTopicArn(this, 'RollupTopic', deployment.alarm.snsTopicArn));
        this.fleet.deadLetterAlarm.addAlarmAction(action);
        this.fleet.deadLetterAlarm.addOkAction(action);
      }
    }
    // The sweep reads the pending index the webhook writes: it needs the shared table, and a route
    // that writes statuses (one with forge credentials).
    if (this.ledger !== undefined && this.secrets.forgeArns.length > 0) {
      this.pendingSweep = new PendingSweep(this, 'PendingSweep', {
        code: this.webhook.code,
        ledger: this.ledger,
        secrets: this.secrets,
        every: Duration.minutes(deployment.pendingSweepMinutes),
        memorySize: deployment.memorySize,
        logRetention,
        namePrefix: this.stackName,
      });
      if (this.fleet !== undefined) {
        // A pending roll-up's resolution recomputes it from its clusters' items.
        this.fleet.grantTable(this.pendingSweep.role);
      }
      if (deployment.alarm.snsTopicArn !== undefined) {
        const action = new SnsAction(Topic.fromTopicArn(this, 'SweepTopic', deployment.alarm.snsTopicArn));
        this.pendingSweep.failures.addAlarmAction(action);
        this.pendingSweep.failures.addOkAction(action);
      }
    }
    if (deployment.retryQueue.enabled) {
      this.retryQueue = new RetryQueue(this, 'RetryQueue', {
        consumer: this.webhook.function,
        consumerTimeout: Duration.seconds(deployment.timeoutSeconds),
        maxAttempts: deployment.retryQueue.maxAttempts,
        deadLetterThreshold: deployment.alarm.deadLetters,
        alarmPeriod: Duration.minutes(deployment.alarm.periodMinutes),
        namePrefix: this.stackName,
      });
      this.retryQueue.grantUse(this.webhook.role, deployment.retryQueue.redrivePrincipals);
      values.retryQueue = {
        url: this.retryQueue.queue.queueUrl,
        deadLetterUrl: this.retryQueue.deadLetterQueue.queueUrl,
        maxAttempts: deployment.retryQueue.maxAttempts,
      };
      if (deployment.alarm.snsTopicArn !== undefined) {
        const action = new SnsAction(
          Topic.fromTopicArn(this, 'DeadLetterTopic', deployment.alarm.snsTopicArn),
        );
        this.retryQueue.deadLetterAlarm.addAlarmAction(action);
        this.retryQueue.deadLetterAlarm.addOkAction(action);
      }
    }
    if (config.detailsPage !== undefined) {
      this.detailsFunction = new DetailsFunction(this, 'DetailsPage', {
        code: this.webhook.code,
        memorySize: deployment.memorySize,
        logRetention,
      });
      this.ledger?.grantRead(this.detailsFunction.role);
      // A roll-up's page reads its clusters' items when it is opened.
      this.fleet?.grantPageQuery(this.detailsFunction.role);
      this.secrets.grantDetailsRead(this.detailsFunction.role, [
        config.detailsPage.secret,
        ...secretNamesOf(config.routes.filter((route) => route.detailsPage)),
      ]);
    }
    this.api = new WebhookApi(this, 'Api', {
      name: this.stackName,
      handler: this.webhook.function,
      throttle: deployment.throttle,
      routes: config.routes,
      domain: deployment.domain,
      logRetention,
      detailsPage:
        config.detailsPage === undefined || this.detailsFunction === undefined
          ? undefined
          : { throttle: config.detailsPage.throttle, handler: this.detailsFunction.function },
    });
    if (config.detailsPage !== undefined) {
      // The links' origin: the config's own (a CDN in front), else the API's domain or endpoint.
      const detailsBaseUrl = config.detailsPage.baseUrl ?? this.api.baseUrl;
      values.detailsBaseUrl = detailsBaseUrl;
      new CfnOutput(this, 'DetailsPageBaseUrl', {
        description: 'Where the details pages are served: <this>/details/<token>',
        value: detailsBaseUrl,
      });
    }
    const functions: [FunctionKind, LambdaFunction | undefined][] = [
      ['webhook', this.webhook.function],
      ['sweep', this.pendingSweep?.function],
      ['details', this.detailsFunction?.function],
    ];
    for (const [kind, fn] of functions) {
      for (const [name, value] of Object.entries(functionVariables(kind, values)))
        fn?.addEnvironment(name, value);
    }
    this.alarms = new DeliveryAlarms(this, 'Alarms', {
      handler: this.webhook.function,
      alarm: deployment.alarm,
      namePrefix: this.stackName,
      queryName,
      detailsPage: config.detailsPage !== undefined,
    });
    this.insights = new DeliveryInsights(this, 'Insights', {
      queryName,
      dashboardName: this.stackName,
      handler: this.webhook.function,
      functionLogs: this.webhook.logGroup,
      api: this.api.api,
      alarms: this.alarms,
    });

    for (const route of config.routes) {
      new CfnOutput(this, webhookUrlOutputName(route.id), {
        description: `Flux Provider address of route ${route.id} (${route.auth.type === 'bearer' ? 'generic' : 'generic-hmac'})`,
        value: this.api.urlOf(route.id),
      });
    }
    if (this.api.domainName !== undefined) {
      new CfnOutput(this, 'DomainTarget', {
        description: `Point ${deployment.domain?.name} here (CNAME or alias record)`,
        value: this.api.domainName.regionalDomainName,
      });
    }
    if (this.retryQueue !== undefined) {
      new CfnOutput(this, 'RetryQueueArn', {
        description: 'Retry queue: the destination of a dead-letter redrive',
        value: this.retryQueue.queue.queueArn,
      });
      new CfnOutput(this, 'DeadLetterQueueArn', {
        description: 'Deliveries that used up their retries, each with a "reason" attribute',
        value: this.retryQueue.deadLetterQueue.queueArn,
      });
    }
    new CfnOutput(this, 'FailedDeliveriesQuery', {
      description: 'Saved CloudWatch Logs Insights query that lists failed and rejected deliveries',
      value: queryName,
    });
  }
}
