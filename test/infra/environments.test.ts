import { rmSync } from 'node:fs';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/errors.js';
import { listEnvironments } from '../../infra/environments.js';
import { CONFIG_DIR } from '../../infra/paths.js';
import { configDirWith, environmentApp, ROUTE, type Synthesised, synthEnvironment } from './cdk-app.js';

/** cdk-nag's AwsSolutions findings that are neither fixed nor acknowledged, one line each. */
function nagFindings(synthesised: Synthesised): string[] {
  return new AwsSolutionsChecks()
    .validateScope(synthesised.app)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`),
    );
}

const ENVIRONMENTS = listEnvironments(CONFIG_DIR);

describe('every environment file in the repository', () => {
  it('lists the committed environments, not the local secrets file', () => {
    expect(ENVIRONMENTS).toEqual(expect.arrayContaining(['dev', 'local', 'prod']));
    expect(ENVIRONMENTS.some((name) => name.includes('secrets'))).toBe(false);
  });

  it.each(ENVIRONMENTS)('%s synthesises offline, with no cdk-nag finding left', (env) => {
    const synthesised = synthEnvironment(env);
    expect(synthesised.stack.stackName).toBe(`FluxCommitStatus-${env}`);
    // The webhook's, and the pending sweep's where there is a shared ledger to sweep.
    synthesised.template.resourceCountIs('AWS::Lambda::Function', synthesised.stack.pendingSweep ? 2 : 1);
    expect(nagFindings(synthesised)).toEqual([]);
  });
});

describe('cdk-nag', () => {
  const variants: Record<string, unknown> = {
    'placeholders-and-arns': {
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
    'custom-domain': {
      routes: [ROUTE],
      deployment: {
        region: 'eu-west-1',
        domain: {
          name: 'flux-hooks.example.com',
          certificateArn:
            'arn:aws:acm:eu-west-1:123456789012:certificate/0f6a2c3e-1111-2222-3333-444455556666',
        },
        reservedConcurrency: 5,
        alarm: { snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:platform-alerts' },
      },
    },
  };
  const configDir = configDirWith(variants);
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));

  it.each(Object.keys(variants))('finds nothing left in the %s variant', (env) => {
    expect(nagFindings(synthEnvironment(env, { configDir }))).toEqual([]);
  });

  it('runs inside synth, so that a new finding fails `cdk synth`', () => {
    const { app, stack } = environmentApp('prod');
    // A secret without rotation and without an acknowledgement: AwsSolutions-SMG4.
    new CfnSecret(stack, 'Unacknowledged', { name: 'unacknowledged' });
    expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
  });
});

describe('choosing an environment', () => {
  it('lists the environments when -c env is missing', () => {
    expect(() => synthEnvironment(undefined)).toThrow(ConfigError);
    expect(() => synthEnvironment(undefined)).toThrow(
      `choose an environment with -c env=NAME; environments in config/: ${ENVIRONMENTS.join(', ')}`,
    );
  });

  it('lists the environments when -c env names none of them', () => {
    expect(() => synthEnvironment('nowhere')).toThrow(
      `no environment "nowhere" (no config/nowhere.json); environments in config/: ${ENVIRONMENTS.join(', ')}`,
    );
    expect(() => synthEnvironment('../config/prod')).toThrow(/no environment "\.\.\/config\/prod"/);
  });
});

describe('a bad config fails synth with a message naming the file and the field', () => {
  const bad: Record<string, [unknown, RegExp]> = {
    'unknown-provider': [
      { routes: [{ ...ROUTE, provider: { ...ROUTE.provider, type: 'svn' } }] },
      /unknown-provider\.json: routes\[0\]\.provider\.type: /,
    ],
    'malformed-address': [
      { routes: [{ ...ROUTE, provider: { ...ROUTE.provider, address: 'https://github.com/acme' } }] },
      /malformed-address\.json: routes\[0\]\.provider\.address: "https:\/\/github\.com\/acme" must name a GitHub repository/,
    ],
    'duplicate-route': [
      { routes: [ROUTE, { ...ROUTE, cluster: 'other' }] },
      /duplicate-route\.json: routes\[1\]\.id: duplicate route id "prod-eu-1"/,
    ],
    'missing-provider-secret': [
      { routes: [{ ...ROUTE, provider: { ...ROUTE.provider, secret: undefined } }] },
      /missing-provider-secret\.json: routes\[0\]\.provider\.secret: is required unless the route is a dryRun/,
    ],
    'missing-webhook-secret': [
      { routes: [{ ...ROUTE, auth: { type: 'hmac' } }] },
      /missing-webhook-secret\.json: routes\[0\]\.auth\.secret: /,
    ],
    'bad-retention': [
      { routes: [ROUTE], deployment: { logRetentionDays: 10 } },
      /bad-retention\.json: deployment\.logRetentionDays: must be one of CloudWatch Logs' retention periods/,
    ],
    'long-timeout': [
      { routes: [ROUTE], deployment: { timeoutSeconds: 30 } },
      /long-timeout\.json: deployment\.timeoutSeconds: /,
    ],
    'not-json': ['{"routes": [', /not-json\.json: not valid JSON/],
    'loopback-forge': [
      { routes: [{ ...ROUTE, provider: { ...ROUTE.provider, apiUrl: 'http://127.0.0.1:3000' } }] },
      /loopback-forge\.json: routes\[0\]\.provider\.apiUrl: "http:\/\/127\.0\.0\.1:3000" is a loopback address, which the function in AWS can never reach/,
    ],
    'region-typo': [
      { routes: [ROUTE], deployment: { region: 'eu-wst-1' } },
      /region-typo\.json: deployment\.region: "eu-wst-1" is not a region that aws-cdk-lib knows; regions starting eu-: eu-central-1, .*eu-west-1/,
    ],
    'unknown-region': [
      { routes: [ROUTE], deployment: { region: 'xx-east-1' } },
      /unknown-region\.json: deployment\.region: "xx-east-1" is not a region that aws-cdk-lib knows; known: af-south-1, .*us-west-2/,
    ],
  };
  const configDir = configDirWith(Object.fromEntries(Object.entries(bad).map(([n, [c]]) => [n, c])));
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));

  it.each(Object.entries(bad))('%s', (env, [, message]) => {
    expect(() => synthEnvironment(env, { configDir })).toThrow(ConfigError);
    expect(() => synthEnvironment(env, { configDir })).toThrow(message);
  });
});
