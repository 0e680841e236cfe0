import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cfnText, configDirWith, ROUTE, synthEnvironment } from './cdk-app.js';

/**
 * The grants that fleet environments need: their roll-up records, their clusters' items, their
 * recompute queue and their promotion webhook keys.
 */
describe('a stack whose config has fleet environments', () => {
  const configDir = configDirWith({
    fleet: {
      routes: [
        { ...ROUTE, environment: 'production' },
        {
          ...ROUTE,
          id: 'prod-us-1',
          cluster: 'prod-us-1',
          auth: { secret: 'flux-commit-status/prod-us-1/webhook' },
          environment: 'production',
          clusterStatuses: false,
        },
        {
          ...ROUTE,
          id: 'staging-1',
          cluster: 'staging-1',
          auth: { secret: 'flux-commit-status/staging-1/webhook' },
          environment: 'staging',
        },
      ],
      environments: {
        production: { promotion: { type: 'repository_dispatch', eventType: 'flux-production-ready' } },
        staging: {
          promotion: { type: 'webhook', url: 'https://ci.example.com/promote', secret: 'ci/promotion-key' },
        },
      },
      deployment: { region: 'eu-west-1' },
    },
  });
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));

  it('reads the promotion key besides the routes secrets, and keeps the tables to their own calls', () => {
    const { template } = synthEnvironment('fleet', { configDir });
    // The webhook's role: the pending sweep's (stack.test.ts) queries its own index.
    const [webhook] = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: 'Flux notification webhook to git commit status' },
      }),
    );
    expect(webhook).toBeDefined();
    const role = (webhook?.Properties.Role as { 'Fn::GetAtt': [string, string] } | undefined)?.[
      'Fn::GetAtt'
    ][0];
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }),
    );
    const statements = policies.flatMap(
      (policy) =>
        (
          policy.Properties.PolicyDocument as {
            Statement: { Action: string | string[]; Resource: unknown }[];
          }
        ).Statement,
    );
    const secrets = statements.find((statement) => statement.Action === 'secretsmanager:GetSecretValue');
    const ledger = statements.filter((statement) =>
      [statement.Action].flat().some((a) => a.startsWith('dynamodb:')),
    );

    expect(((secrets?.Resource ?? []) as unknown[]).map(cfnText).sort()).toEqual(
      [
        'flux-commit-status/prod-eu-1/webhook',
        'flux-commit-status/github-acme',
        'flux-commit-status/prod-us-1/webhook',
        'flux-commit-status/staging-1/webhook',
        'ci/promotion-key',
      ]
        .map((name) => `arn:aws:secretsmanager:eu-west-1:\${AWS::AccountId}:secret:${name}-??????`)
        .sort(),
    );
    // The ledger's records are items by key; the fleet table adds the one Query of a roll-up's
    // clusters, on the fleet table alone. No Scan, no index.
    expect(ledger.map((statement) => [statement.Action, JSON.stringify(statement.Resource)])).toEqual([
      [['dynamodb:GetItem', 'dynamodb:PutItem'], expect.stringContaining('LedgerTable')],
      [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], expect.stringContaining('FleetTable')],
    ]);
    const tables = template.findResources('AWS::DynamoDB::Table');
    const table = Object.entries(tables).find(([id]) => id.startsWith('Ledger'))?.[1]?.Properties;
    expect(table).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    // The only index is the pending sweep's (functions/ledger/dynamodb-pending-index.ts).
    expect(
      ((table?.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string }>).map((index) => index.IndexName),
    ).toEqual(['pending-due']);
    const fleet = Object.entries(tables).find(([id]) => id.startsWith('Fleet'))?.[1]?.Properties;
    expect(fleet).toMatchObject({
      KeySchema: [
        { AttributeName: 'rollup', KeyType: 'HASH' },
        { AttributeName: 'cluster', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('recomputes roll-ups from a FIFO queue, ten requests a batch, with a FIFO dead-letter queue and its alarm', () => {
    const { template } = synthEnvironment('fleet', { configDir });
    const queues = template.findResources('AWS::SQS::Queue', { Properties: { FifoQueue: true } });
    const recomputes = Object.entries(queues).find(([id]) => id.startsWith('FleetRecomputes'));
    const deadLetters = Object.entries(queues).find(([id]) => id.startsWith('FleetDeadLetters'));

    expect(recomputes?.[1].Properties).toMatchObject({
      ContentBasedDeduplication: false,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters?.[0], 'Arn'] }, maxReceiveCount: 8 },
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [recomputes?.[0], 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'FluxCommitStatus-fleet-rollup-dead-letters',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters?.[0], 'QueueName'] } }],
    });
    // Only the function sends: a request makes it write a roll-up with its tokens.
    const policy = Object.values(
      template.findResources('AWS::SQS::QueuePolicy', { Properties: { Queues: [{ Ref: recomputes?.[0] }] } }),
    )[0];
    expect(policy?.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Sid: 'OnlyTheFunctionSends', Effect: 'Deny', Action: 'sqs:SendMessage' }),
      ]),
    );
  });
});
