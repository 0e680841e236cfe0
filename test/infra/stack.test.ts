import { readFileSync, rmSync } from 'node:fs';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  DELIVERIES_METRIC,
  DELIVERY_RETRIES_METRIC,
  FAILED_DELIVERIES_METRIC,
  METRICS_NAMESPACE,
  SERVICE_NAME,
} from '../../functions/config/function-environment.js';
import { createDeliveryObserver } from '../../functions/webhook/observe-delivery.js';
import { FAILED_DELIVERIES_QUERY } from '../../infra/constructs/delivery-insights.js';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/webhook-api.js';
import { cfnText, configDirWith, ROUTE, synthEnvironment } from './cdk-app.js';

const PROD = JSON.parse(readFileSync(new URL('../../config/prod.json', import.meta.url), 'utf8'));
const SNS_TOPIC = PROD.deployment.alarm.snsTopicArn as string;

function only(template: Template, type: string): Record<string, unknown> {
  const resources = Object.values(template.findResources(type));
  expect(resources).toHaveLength(1);
  return (resources[0] as { Properties: Record<string, unknown> }).Properties;
}

function logicalIdOf(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

/** The webhook function, beside the pending sweep's. */
function webhookFunction(template: Template): Record<string, unknown> {
  const functions = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Description: 'Flux notification webhook to git commit status' },
    }),
  );
  expect(functions).toHaveLength(1);
  return (functions[0] as { Properties: Record<string, unknown> }).Properties;
}

/** The logical id of the webhook function's role. */
function webhookRoleId(template: Template): string {
  return (webhookFunction(template).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

/** A role's statements (the webhook's by default), with every ARN rendered as text. */
function roleStatements(template: Template, roleId = webhookRoleId(template)) {
  const role = template.findResources('AWS::IAM::Role')[roleId];
  expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
  );
  expect(policies).toHaveLength(1);
  const document = policies[0]?.Properties.PolicyDocument as {
    Statement: { Action: string | string[]; Effect: string; Resource: unknown }[];
  };
  return document.Statement.map((statement) => ({
    Effect: statement.Effect,
    Action: statement.Action,
    // Sorted: the policy minimiser orders resources its own way, and order grants nothing.
    Resource: [statement.Resource].flat().map(cfnText).sort(),
  }));
}

describe('the prod stack', () => {
  const { template, stack } = synthEnvironment('prod');
  // The function's own log group, as its logging config names it.
  const { LoggingConfig } = webhookFunction(template) as {
    LoggingConfig: { LogGroup: { Ref: string } };
  };
  const functionLogs = LoggingConfig.LogGroup.Ref;

  it('is named after the environment and deployed where the config says', () => {
    expect(stack.stackName).toBe('FluxCommitStatus-prod');
    expect(stack.region).toBe('eu-west-1');
  });

  it('gives each configured route its own API route to the function, payload 2.0, and nothing else', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
      'POST /hooks/prod-eu-1',
      'POST /hooks/prod-us-1',
    ]);
    for (const route of routes) expect(route.Properties.AuthorizationType).toBe('NONE');
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
  });

  it('throttles each route on its own, as configured, and writes JSON access logs', () => {
    const stage = only(template, 'AWS::ApiGatewayV2::Stage');
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: {
        'POST /hooks/prod-eu-1': { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        'POST /hooks/prod-us-1': { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      },
    });
    const format = (stage.AccessLogSettings as { Format: string }).Format;
    expect(JSON.parse(format)).toEqual(ACCESS_LOG_FIELDS);
    expect(format).toContain('"requestId":"$context.requestId"');
  });

  it('creates the stage after the routes its settings name', () => {
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    const routeIds = Object.keys(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(stages[0]?.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('runs Node.js 22 or later on arm64, within the 15-second Flux budget', () => {
    const fn = webhookFunction(template);
    expect(fn.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    expect(fn).toMatchObject({
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 12,
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'flux-commit-status',
          POWERTOOLS_METRICS_NAMESPACE: 'FluxCommitStatus',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    expect(fn.Timeout as number).toBeLessThanOrEqual(12);
    expect(fn.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('lets the function read exactly the configured secrets, write its own log group, use its ledger and queues', () => {
    const secret = (name: string) =>
      `arn:aws:secretsmanager:eu-west-1:\${AWS::AccountId}:secret:${name}-??????`;
    const arnOf = (type: string) => `\${${logicalIdOf(template, type)}.Arn}`;
    const [retries, deadLetters] = Object.entries(template.findResources('AWS::SQS::Queue'))
      .sort(([, a]) => (a.Properties.RedrivePolicy ? -1 : 1))
      .map(([id]) => `\${${id}.Arn}`);
    expect(roleStatements(template)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`\${${functionLogs}.Arn}`],
      },
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [
          secret('flux-commit-status/github-acme'),
          secret('flux-commit-status/prod-eu-1/webhook'),
          secret('flux-commit-status/prod-us-1/webhook'),
        ],
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: [arnOf('AWS::DynamoDB::Table')],
      },
      {
        Effect: 'Allow',
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
          'sqs:SendMessage',
        ],
        Resource: [retries],
      },
      {
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: [deadLetters],
      },
    ]);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('lets no principal but the function’s role send to the retry and dead-letter queues', () => {
    // Prepare
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const roleId = webhookRoleId(template);

    // Act
    const denies = policies.flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>).filter(
        (statement) => statement.Sid === 'OnlyTheFunctionSends',
      ),
    );

    // Assess
    expect(denies).toHaveLength(2);
    for (const statement of denies) {
      expect(statement).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:SendMessage' });
      expect(statement.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([
        { 'Fn::GetAtt': [roleId, 'Arn'] },
      ]);
    }
  });

  it('alarms on FailedDeliveries as the function emits it, notifying the SNS topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'FluxCommitStatus-prod-failed-deliveries',
      Namespace: 'FluxCommitStatus',
      MetricName: 'FailedDeliveries',
      Dimensions: [{ Name: 'service', Value: 'flux-commit-status' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [SNS_TOPIC],
      OKActions: [SNS_TOPIC],
      AlarmDescription: Match.stringLikeRegexp('saved query "FluxCommitStatus-prod/failed deliveries"'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'FluxCommitStatus-prod-function-errors',
      AlarmActions: [SNS_TOPIC],
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Errors' }) }),
        }),
      ]),
    });
  });

  it('saves the "failed deliveries" Logs Insights query on the function log group', () => {
    const query = only(template, 'AWS::Logs::QueryDefinition');
    expect(query.Name).toBe('FluxCommitStatus-prod/failed deliveries');
    expect(query.QueryString).toBe(
      'fields @timestamp, route, cluster, object, sha, context, outcome, statusCode, forgeStatus, error, reason\n' +
        '| filter outcome in ["failed", "rejected", "dead-lettered"]\n' +
        '| sort @timestamp desc',
    );
    expect(FAILED_DELIVERIES_QUERY.toString()).toBe(query.QueryString);
    expect(query.LogGroupNames).toEqual([{ Ref: functionLogs }]);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('keeps a delivery ledger: on demand, point-in-time recovery, TTL, retained, named to the function', () => {
    expect(only(template, 'AWS::DynamoDB::Table')).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    const variables = (webhookFunction(template).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(variables.LEDGER_TABLE).toEqual({ Ref: logicalIdOf(template, 'AWS::DynamoDB::Table') });
  });

  it('hands failing deliveries to an encrypted SQS retry queue with a dead-letter queue, alarm and outputs', () => {
    const queues = Object.entries(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    const [[retriesId, retries], [deadLettersId, deadLetters]] = queues.sort(([, a]) =>
      a.Properties.RedrivePolicy ? -1 : 1,
    ) as [[string, { Properties: Record<string, any> }], [string, { Properties: Record<string, any> }]];
    expect(retries.Properties).toMatchObject({
      VisibilityTimeout: 72,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLettersId, 'Arn'] }, maxReceiveCount: 10 },
    });
    expect(deadLetters.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [retriesId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const variables = (webhookFunction(template).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(variables).toMatchObject({
      RETRY_QUEUE_URL: { Ref: retriesId },
      DEAD_LETTER_QUEUE_URL: { Ref: deadLettersId },
      RETRY_MAX_ATTEMPTS: '8',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'FluxCommitStatus-prod-dead-letters',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLettersId, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [SNS_TOPIC],
    });
    template.hasOutput('RetryQueueArn', { Value: { 'Fn::GetAtt': [retriesId, 'Arn'] } });
    template.hasOutput('DeadLetterQueueArn', { Value: { 'Fn::GetAtt': [deadLettersId, 'Arn'] } });
  });

  it('keeps every log for the configured days, in log groups of their own (API, webhook, pending sweep)', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(3);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(90);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toContain(functionLogs);
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  it('outputs the webhook URL of every route, ready to paste', () => {
    const api = logicalIdOf(template, 'AWS::ApiGatewayV2::Api');
    const outputs = template.findOutputs('*');
    expect(cfnText(outputs.WebhookUrlProdEu1?.Value)).toBe(`\${${api}.ApiEndpoint}/hooks/prod-eu-1`);
    expect(cfnText(outputs.WebhookUrlProdUs1?.Value)).toBe(`\${${api}.ApiEndpoint}/hooks/prod-us-1`);
    expect(outputs.WebhookUrlProdEu1?.Description).toContain('generic-hmac');
    expect(outputs.WebhookUrlProdUs1?.Description).toContain('(generic)');
    expect(outputs.FailedDeliveriesQuery?.Value).toBe('FluxCommitStatus-prod/failed deliveries');
  });
});

describe('settings beyond the committed configs', () => {
  const configDir = configDirWith({
    domain: {
      routes: [
        ROUTE,
        {
          ...ROUTE,
          id: 'dry',
          dryRun: true,
          provider: { ...ROUTE.provider, secret: undefined },
          throttle: { rateLimit: 1, burstLimit: 2 },
        },
      ],
      deployment: {
        region: 'eu-west-1',
        domain: {
          name: 'flux-hooks.example.com',
          certificateArn:
            'arn:aws:acm:eu-west-1:123456789012:certificate/0f6a2c3e-1111-2222-3333-444455556666',
        },
        reservedConcurrency: 5,
        memorySize: 1024,
        timeoutSeconds: 10,
        logRetentionDays: 7,
        throttle: { rateLimit: 5, burstLimit: 10 },
        alarm: { failedDeliveries: 3, periodMinutes: 15 },
      },
    },
    placeholders: {
      routes: [
        {
          ...ROUTE,
          auth: {
            secret: [
              'flux-commit-status/prod-eu-1/webhook',
              'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flux-commit-status/old-AbCdEf',
            ],
          },
        },
      ],
      deployment: { createPlaceholderSecrets: true },
    },
    lean: {
      routes: [ROUTE],
      deployment: { ledger: false, retryQueue: { enabled: false } },
    },
  });
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));

  it('serves the routes on the custom domain and says where to point its DNS', () => {
    const { template } = synthEnvironment('domain', { configDir });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'flux-hooks.example.com',
      DomainNameConfigurations: [
        Match.objectLike({
          CertificateArn:
            'arn:aws:acm:eu-west-1:123456789012:certificate/0f6a2c3e-1111-2222-3333-444455556666',
        }),
      ],
    });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    const outputs = template.findOutputs('*');
    expect(outputs.WebhookUrlProdEu1?.Value).toBe('https://flux-hooks.example.com/hooks/prod-eu-1');
    expect(outputs.WebhookUrlDry?.Value).toBe('https://flux-hooks.example.com/hooks/dry');
    expect(cfnText(outputs.DomainTarget?.Value)).toMatch(/\.RegionalDomainName\}$/);
  });

  it('disables the execute-api endpoint with a custom domain, and keeps it without one', () => {
    synthEnvironment('domain', { configDir }).template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      DisableExecuteApiEndpoint: true,
    });
    synthEnvironment('prod').template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      DisableExecuteApiEndpoint: false,
    });
  });

  it('applies memory, timeout, reserved concurrency, retention, throttling and alarm settings', () => {
    const { template } = synthEnvironment('domain', { configDir });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 10,
      ReservedConcurrentExecutions: 5,
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      RouteSettings: {
        'POST /hooks/prod-eu-1': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
        'POST /hooks/dry': { ThrottlingRateLimit: 1, ThrottlingBurstLimit: 2 },
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FailedDeliveries',
      Threshold: 3,
      Period: 900,
      AlarmActions: Match.absent(),
    });
  });

  it('leaves out the ledger and the retry queue when the environment turns them off', () => {
    const { template } = synthEnvironment('lean', { configDir });
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    const variables = (webhookFunction(template).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(Object.keys(variables)).not.toContain('LEDGER_TABLE');
    expect(Object.keys(variables)).not.toContain('RETRY_QUEUE_URL');
  });

  it('grants a dry-run route its webhook secret only', () => {
    const { template } = synthEnvironment('domain', { configDir });
    const secrets = roleStatements(template).find((s) => s.Action === 'secretsmanager:GetSecretValue');
    expect(secrets?.Resource).toEqual([
      'arn:aws:secretsmanager:eu-west-1:${AWS::AccountId}:secret:flux-commit-status/github-acme-??????',
      'arn:aws:secretsmanager:eu-west-1:${AWS::AccountId}:secret:flux-commit-status/prod-eu-1/webhook-??????',
    ]);
  });

  it('creates empty, retained placeholders for names, and grants ARNs as given', () => {
    const { template } = synthEnvironment('placeholders', { configDir });
    const created = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.values(created).map((s) => s.Properties.Name)).toEqual([
      'flux-commit-status/prod-eu-1/webhook',
      'flux-commit-status/github-acme',
    ]);
    for (const secret of Object.values(created)) {
      expect(secret.DeletionPolicy).toBe('Retain');
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.GenerateSecretString).toBeUndefined();
    }
    const [webhook, github] = Object.keys(created);
    const secrets = roleStatements(template).find((s) => s.Action === 'secretsmanager:GetSecretValue');
    expect(secrets?.Resource).toEqual(
      [
        `\${${webhook}}`,
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flux-commit-status/old-AbCdEf',
        `\${${github}}`,
      ].sort(),
    );
  });
});

describe('the metrics the alarm watches', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('are the ones the function emits: namespace, names and dimensions', () => {
    // Powertools writes EMF to the global console in dev mode; vitest.config.ts disables metrics.
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    const logger = { info() {}, warn() {}, error() {} } as unknown as Logger;
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    const observe = createDeliveryObserver(logger, metrics);
    observe({ outcome: 'failed', statusCode: 502, durationMs: 5, forge: 'github' });
    // A queued attempt that will be tried again counts apart, never toward the alarm's metric.
    observe({
      outcome: 'retrying',
      statusCode: 502,
      durationMs: 5,
      forge: 'github',
      attempt: 2,
      maxAttempts: 8,
    });

    const emitted = lines.map((line) => {
      const emf = JSON.parse(line);
      const directive = emf._aws.CloudWatchMetrics[0];
      const dimensions = Object.fromEntries(directive.Dimensions[0].map((name: string) => [name, emf[name]]));
      return { namespace: directive.Namespace, metric: directive.Metrics[0].Name, dimensions };
    });
    expect(emitted).toEqual([
      {
        namespace: 'FluxCommitStatus',
        metric: DELIVERIES_METRIC,
        dimensions: { service: 'flux-commit-status', outcome: 'failed', forge: 'github' },
      },
      {
        namespace: 'FluxCommitStatus',
        metric: FAILED_DELIVERIES_METRIC,
        dimensions: { service: 'flux-commit-status' },
      },
      {
        namespace: 'FluxCommitStatus',
        metric: DELIVERIES_METRIC,
        dimensions: { service: 'flux-commit-status', outcome: 'retrying', forge: 'github' },
      },
      {
        namespace: 'FluxCommitStatus',
        metric: DELIVERY_RETRIES_METRIC,
        dimensions: { service: 'flux-commit-status' },
      },
    ]);
  });
});

describe('the pending sweep in the prod stack', () => {
  const { template, stack } = synthEnvironment('prod');
  const sweep = stack.pendingSweep;
  const idOf = (construct: { node: { defaultChild?: unknown } } | undefined) =>
    stack.getLogicalId(construct?.node.defaultChild as never);

  it('runs every 5 minutes from an EventBridge rule, once per run, the webhook’s code in a function of its own', () => {
    const functionId = idOf(sweep?.function);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
        }),
      ],
    });
    const fn = template.findResources('AWS::Lambda::Function')[functionId]?.Properties;
    expect(fn).toMatchObject({ Handler: 'index.handler', Timeout: 120, Architectures: ['arm64'] });
    expect(fn.Code).toEqual(webhookFunction(template).Code);
    expect(fn.Environment.Variables.LEDGER_TABLE).toEqual({
      Ref: logicalIdOf(template, 'AWS::DynamoDB::Table'),
    });
    expect(fn.Environment.Variables.RETRY_QUEUE_URL).toBeUndefined();
  });

  it('may query the pending index, read and write the ledger’s items and read the forge secrets: nothing else', () => {
    const table = `\${${logicalIdOf(template, 'AWS::DynamoDB::Table')}.Arn}`;
    expect(roleStatements(template, idOf(sweep?.role))).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`\${${idOf(sweep?.logGroup)}.Arn}`],
      },
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: [table] },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: [`${table}/index/pending-due`] },
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [
          'arn:aws:secretsmanager:eu-west-1:${AWS::AccountId}:secret:flux-commit-status/github-acme-??????',
        ],
      },
    ]);
  });

  it('keeps the index sparse and keys only, so the sweep reads only what is due', () => {
    expect(only(template, 'AWS::DynamoDB::Table').GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'pending-due',
        KeySchema: [
          { AttributeName: 'pendingShard', KeyType: 'HASH' },
          { AttributeName: 'pendingDue', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
  });

  it('alarms when a run fails, notifying the SNS topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'FluxCommitStatus-prod-pending-sweep-failures',
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: idOf(sweep?.function) } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [SNS_TOPIC],
      OKActions: [SNS_TOPIC],
    });
  });
});
