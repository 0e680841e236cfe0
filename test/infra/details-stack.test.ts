import { rmSync } from 'node:fs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { cfnText, configDirWith, ROUTE, synthEnvironment } from './cdk-app.js';

const KEY_SECRET = 'flux-commit-status/details-key';
const configDir = configDirWith({
  pages: {
    routes: [ROUTE, { ...ROUTE, id: 'prod-us-1', detailsPage: true }],
    detailsPage: { secret: KEY_SECRET, throttle: { rateLimit: 3, burstLimit: 6 } },
    deployment: { region: 'eu-west-1' },
  },
  'pages-fleet': {
    routes: [
      { ...ROUTE, detailsPage: true, environment: 'production' },
      { ...ROUTE, id: 'prod-us-1', cluster: 'prod-us-1', detailsPage: true, environment: 'production' },
    ],
    environments: { production: {} },
    detailsPage: { secret: KEY_SECRET },
    deployment: { region: 'eu-west-1' },
  },
  'pages-cdn': {
    routes: [{ ...ROUTE, detailsPage: true }],
    detailsPage: { secret: KEY_SECRET, baseUrl: 'https://status.example.com' },
    deployment: { region: 'eu-west-1', createPlaceholderSecrets: true },
  },
});

afterAll(() => rmSync(configDir, { recursive: true, force: true }));

/** Every cdk-nag AwsSolutions finding of the app, as rule and construct path. */
function nagFindings(app: Parameters<AwsSolutionsChecks['validateScope']>[0]): string[] {
  return new AwsSolutionsChecks()
    .validateScope(app)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((r) => `${violation.ruleName} ${r.constructPath}`),
    );
}

describe('a stack with details pages', () => {
  const synthesised = synthEnvironment('pages', { configDir });
  const { template } = synthesised;

  it('routes GET /details/{token} to a function of its own, under a throttle of its own', () => {
    const { stack } = synthesised;
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
      'GET /details/{token}',
      'POST /hooks/prod-eu-1',
      'POST /hooks/prod-us-1',
    ]);
    const pageId = stack.getLogicalId(stack.detailsFunction?.function.node.defaultChild as never);
    const webhookId = stack.getLogicalId(stack.webhook.function.node.defaultChild as never);
    const targets = Object.values(template.findResources('AWS::ApiGatewayV2::Integration')).map(
      (integration) => cfnText(integration.Properties.IntegrationUri),
    );
    expect(targets.sort()).toEqual([`\${${pageId}.Arn}`, `\${${webhookId}.Arn}`].sort());
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    expect(stage?.Properties.RouteSettings['GET /details/{token}']).toEqual({
      ThrottlingRateLimit: 3,
      ThrottlingBurstLimit: 6,
    });
  });

  it("gives the page function read-only grants: its log group, GetItem, the page key and the page routes' secrets", () => {
    const { stack } = synthesised;
    const roleId = stack.getLogicalId(stack.detailsFunction?.role.node.defaultChild as never);
    const [policy] = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    );
    const statements = policy?.Properties.PolicyDocument.Statement.map(
      (statement: { Action: unknown; Resource: unknown }) => [
        statement.Action,
        [statement.Resource].flat().map(cfnText).sort(),
      ],
    );
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    const logsId = stack.getLogicalId(stack.detailsFunction?.logGroup.node.defaultChild as never);
    const secret = (name: string) =>
      `arn:aws:secretsmanager:eu-west-1:\${AWS::AccountId}:secret:${name}-??????`;
    expect(statements).toEqual([
      [['logs:CreateLogStream', 'logs:PutLogEvents'], [`\${${logsId}.Arn}`]],
      ['dynamodb:GetItem', [`\${${tableId}.Arn}`]],
      [
        'secretsmanager:GetSecretValue',
        [
          secret('flux-commit-status/prod-eu-1/webhook'),
          secret('flux-commit-status/github-acme'),
          secret(KEY_SECRET),
        ].sort(),
      ],
    ]);
  });

  it('lets the function read the page key, and tells it and the operator where the pages are', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))[0];
    const reads = policy?.Properties.PolicyDocument.Statement.find(
      (statement: { Action: unknown }) => statement.Action === 'secretsmanager:GetSecretValue',
    );
    expect([reads.Resource].flat().map(cfnText)).toContain(
      `arn:aws:secretsmanager:eu-west-1:\${AWS::AccountId}:secret:${KEY_SECRET}-??????`,
    );
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    const apiId = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0];
    expect(cfnText(fn?.Properties.Environment.Variables.DETAILS_BASE_URL)).toBe(`\${${apiId}.ApiEndpoint}`);
    expect(cfnText(template.toJSON().Outputs.DetailsPageBaseUrl.Value)).toBe(
      cfnText(fn?.Properties.Environment.Variables.DETAILS_BASE_URL),
    );
  });

  it('alarms when a page cannot be served (a botched key rotation), on the metric the function counts', () => {
    synthesised.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'FluxCommitStatus-pages-details-page-failures',
      MetricName: 'DetailsPageFailures',
      Namespace: 'FluxCommitStatus',
      Dimensions: [{ Name: 'service', Value: 'flux-commit-status' }],
      Threshold: 1,
    });
  });

  it('leaves no cdk-nag finding', () => {
    expect(nagFindings(synthesised.app)).toEqual([]);
  });
});

describe('a stack with details pages and a fleet environment', () => {
  const synthesised = synthEnvironment('pages-fleet', { configDir });
  const { stack, template } = synthesised;

  it("lets the page function Query the fleet table for a roll-up's clusters, and nothing more of it", () => {
    const roleId = stack.getLogicalId(stack.detailsFunction?.role.node.defaultChild as never);
    const [policy] = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    );
    const tableStatements = policy?.Properties.PolicyDocument.Statement.filter(
      (statement: { Action: unknown }) =>
        [statement.Action].flat().some((action) => String(action).startsWith('dynamodb:')),
    ).map((statement: { Action: unknown; Resource: unknown }) => [
      statement.Action,
      cfnText(statement.Resource),
    ]);
    const ledgerId = stack.getLogicalId(stack.ledger?.table.node.defaultChild as never);
    const fleetId = stack.getLogicalId(stack.fleet?.table.node.defaultChild as never);

    expect(tableStatements).toEqual([
      ['dynamodb:GetItem', `\${${ledgerId}.Arn}`],
      ['dynamodb:Query', `\${${fleetId}.Arn}`],
    ]);
  });

  it('tells the page function the fleet table, and not the recompute queue', () => {
    const pageId = stack.getLogicalId(stack.detailsFunction?.function.node.defaultChild as never);
    const fleetId = stack.getLogicalId(stack.fleet?.table.node.defaultChild as never);
    const variables = template.toJSON().Resources[pageId].Properties.Environment.Variables;

    expect(variables.FUNCTION_KIND).toBe('details');
    expect(variables.FLEET_TABLE).toEqual({ Ref: fleetId });
    expect(variables.RECOMPUTE_QUEUE_URL).toBeUndefined();
  });

  it('leaves no cdk-nag finding', () => {
    expect(nagFindings(synthesised.app)).toEqual([]);
  });
});

describe('a stack whose pages sit behind a CDN', () => {
  const synthesised = synthEnvironment('pages-cdn', { configDir });

  it('points the links at the configured origin and creates the key’s placeholder with the others', () => {
    const fn = Object.values(synthesised.template.findResources('AWS::Lambda::Function'))[0];
    expect(fn?.Properties.Environment.Variables.DETAILS_BASE_URL).toBe('https://status.example.com');
    synthesised.template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: KEY_SECRET });
    const findings = new AwsSolutionsChecks().validateScope(synthesised.app).violations;
    expect(findings).toEqual([]);
  });
});

describe('a stack without details pages', () => {
  it('has no GET route and no base URL', () => {
    const { template } = synthEnvironment('prod');
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey,
    );
    expect(keys.some((key: string) => key.startsWith('GET'))).toBe(false);
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    expect(fn?.Properties.Environment.Variables.DETAILS_BASE_URL).toBeUndefined();
  });
});
