import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DeliveryAlarms } from './constructs/delivery-alarms.js';
import { DeliveryInsights } from './constructs/delivery-insights.js';
import { WebhookApi } from './constructs/webhook-api.js';
import { WebhookFunction } from './constructs/webhook-function.js';
import { WebhookSecrets } from './constructs/webhook-secrets.js';
import type { Environment } from './environments.js';

export interface FluxCommitStatusStackProps extends StackProps {
  environment: Environment;
}

/** `prod-eu-1` → `ProdEu1`: output names may only hold letters and digits. */
function pascalCase(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
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

  constructor(scope: Construct, id: string, props: FluxCommitStatusStackProps) {
    super(scope, id, props);
    const { config, configFile } = props.environment;
    const { deployment } = config;
    // The config schema admits only the periods CloudWatch Logs knows (LOG_RETENTION_DAYS).
    const logRetention = deployment.logRetentionDays as RetentionDays;
    const queryName = `${this.stackName}/failed deliveries`;

    this.secrets = new WebhookSecrets(this, 'Secrets', {
      routes: config.routes,
      createPlaceholders: deployment.createPlaceholderSecrets,
    });
    this.webhook = new WebhookFunction(this, 'Webhook', { configFile, deployment, logRetention });
    this.secrets.grantRead(this.webhook.role);
    this.api = new WebhookApi(this, 'Api', {
      name: this.stackName,
      handler: this.webhook.function,
      throttle: deployment.throttle,
      domain: deployment.domain,
      logRetention,
    });
    this.alarms = new DeliveryAlarms(this, 'Alarms', {
      handler: this.webhook.function,
      alarm: deployment.alarm,
      namePrefix: this.stackName,
      queryName,
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
      new CfnOutput(this, `WebhookUrl${pascalCase(route.id)}`, {
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
    new CfnOutput(this, 'FailedDeliveriesQuery', {
      description: 'Saved CloudWatch Logs Insights query that lists failed and rejected deliveries',
      value: queryName,
    });
  }
}
