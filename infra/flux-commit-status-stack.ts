import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { promotionSecretsOf } from '../functions/config/fleet-environments.js';
import { tellFunction } from '../functions/config/function-environment.js';
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
    // Each resource a function uses is connected to it in one call, which grants the function its
    // calls and sets the variables that say where the resource is (functions/config/function-environment.ts).
    this.webhook = new WebhookFunction(this, 'Webhook', { configFile, deployment, logRetention });
    this.secrets.grantRead(this.webhook.role);
    if (deployment.ledger) {
      this.ledger = new DeliveryLedger(this, 'Ledger');
      this.ledger.connect(this.webhook);
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
      this.fleet.connect(this.webhook);
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
        this.fleet.connect(this.pendingSweep);
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
      this.retryQueue.connect(this.webhook, deployment.retryQueue.redrivePrincipals);
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
      this.ledger?.connect(this.detailsFunction);
      this.fleet?.connect(this.detailsFunction);
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
      // Not a resource of the stack: the two functions that write links are told it directly.
      for (const fn of [this.webhook, this.pendingSweep]) {
        if (fn !== undefined) tellFunction(fn.function, fn.kind, { detailsBaseUrl });
      }
      new CfnOutput(this, 'DetailsPageBaseUrl', {
        description: 'Where the details pages are served: <this>/details/<token>',
        value: detailsBaseUrl,
      });
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
