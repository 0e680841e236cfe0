import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LAMBDA_NODE, lambdaNodeInstalled } from '../harness/lambda-node.js';
import { configDirWith, ROUTE, synthEnvironment } from './cdk-app.js';

/** Every feature of a stack at once: pages at their default origin, fleet environments, the queue, the sweep. */
const configDir = configDirWith({
  everything: {
    routes: [
      { ...ROUTE, detailsPage: true, environment: 'production' },
      {
        ...ROUTE,
        id: 'prod-us-1',
        cluster: 'prod-us-1',
        auth: { type: 'bearer', secret: 'flux-commit-status/prod-us-1/webhook' },
        environment: 'staging',
      },
    ],
    environments: {
      production: { promotion: { type: 'repository_dispatch', eventType: 'flux-production-ready' } },
      staging: {
        promotion: { type: 'webhook', url: 'https://ci.example.com/promote', secret: 'ci/promotion-key' },
      },
    },
    detailsPage: { secret: 'flux-commit-status/details-key' },
    deployment: {
      region: 'eu-west-1',
      reservedConcurrency: 20,
      alarm: { snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:platform-alerts' },
    },
  },
});
afterAll(() => rmSync(configDir, { recursive: true, force: true }));

type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
>;

/**
 * A value that CloudFormation computes at deploy time, replaced by a stand-in of its kind, so that
 * the function sees what it would see in AWS. A kind not listed here fails the test: a new variable
 * gets a stand-in before it can pass.
 */
function standIn(value: unknown, resources: Resources): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) {
    const type = resources[object.Ref as string]?.Type;
    if (type === 'AWS::DynamoDB::Table') return 'FluxCommitStatus-everything-LedgerTable-1A2B3C4D5E6F';
    if (type === 'AWS::SQS::Queue') return 'https://sqs.eu-west-1.amazonaws.com/123456789012/fcs-queue';
  }
  if ('Fn::GetAtt' in object) {
    const [id, attribute] = object['Fn::GetAtt'] as [string, string];
    if (resources[id]?.Type === 'AWS::ApiGatewayV2::Api' && attribute === 'ApiEndpoint') {
      return 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
    }
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => standIn(part, resources)).join(separator);
  }
  throw new Error(`no stand-in for ${JSON.stringify(value)}`);
}

/**
 * Every function the stack deploys, on the Node.js major Lambda runs, started with exactly the
 * variables its template gives it (and those Lambda itself sets): a variable one function reads at
 * cold start and the template forgot fails here, not at deploy.
 */
describe.skipIf(!lambdaNodeInstalled())('every function of a stack with every feature on', () => {
  const { app, template } = synthEnvironment('everything', { configDir, bundle: true });
  const resources = template.toJSON().Resources as Resources;
  const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
  const outDir = app.synth().directory;

  it('has a function for the webhook and one for the pending sweep, each running the bundle', () => {
    expect(functions.length).toBeGreaterThanOrEqual(2);
    for (const [, fn] of functions) expect(fn.Metadata?.['aws:asset:is-bundled']).toBe(true);
  });

  it.each(functions.map(([id, fn]) => [id, fn]))('cold-starts %s', async (id, fn) => {
    const variables = Object.fromEntries(
      Object.entries((fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>).map(
        ([name, value]) => [name, standIn(value, resources)],
      ),
    );
    const entry = join(outDir, fn.Metadata['aws:asset:path'] as string, 'index.mjs');
    const script = `await import(${JSON.stringify(pathToFileURL(entry).href)}); process.stdout.write('started');`;

    const { stdout } = await promisify(execFile)(LAMBDA_NODE, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
      // What Lambda's runtime sets, then the template's own; nothing of this process.
      env: {
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_LAMBDA_FUNCTION_NAME: id,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.Properties.MemorySize),
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'example-secret-access-key',
        AWS_SESSION_TOKEN: 'example-session-token',
        LAMBDA_TASK_ROOT: join(outDir, fn.Metadata['aws:asset:path'] as string),
        TZ: ':UTC',
        ...variables,
      },
    });

    expect(stdout).toBe('started');
  });
});
