import { describe, expect, it } from 'vitest';
import { parseEnvironmentConfig } from '../../functions/config/environment-config.js';
import { rangeLimitOf } from '../../functions/config/fleet-environments.js';

function route(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    auth: { secret: `flux-commit-status/${id}/webhook` },
    provider: {
      type: 'github',
      address: 'https://github.com/acme/fleet-infra',
      secret: 'flux-commit-status/github-acme',
    },
    environment: 'production',
    ...extra,
  };
}

function parse(config: unknown) {
  return parseEnvironmentConfig(JSON.stringify(config), 'prod.json');
}

describe('fleet environments in the config', () => {
  it('fills the roll-up defaults and keeps cluster statuses on unless a route turns them off', () => {
    const config = parse({
      routes: [route('prod-eu-1'), route('prod-us-1', { clusterStatuses: false })],
      environments: { production: {} },
    });

    // The default context is applied where the roll-up is named (rollup-place.ts), so that a context
    // set beside commitStatusExpr can be told from the default and refused.
    expect(config.environments.production).toEqual({});
    expect(config.routes.map((each) => each.clusterStatuses)).toEqual([true, false]);
  });

  it('marks a roll-up’s range by default (50 commits), to the environment’s rangeLimit, or not at all', () => {
    const config = parse({
      routes: [
        route('prod-eu-1'),
        route('staging-1', { environment: 'staging' }),
        route('dev-1', { environment: 'dev' }),
      ],
      environments: {
        production: {},
        staging: { rangeLimit: 250 },
        dev: { rangeStatuses: false, rangeLimit: 5 },
      },
    });

    const { production, staging, dev } = config.environments;
    expect([production, staging, dev].map((environment) => environment && rangeLimitOf(environment))).toEqual(
      [50, 250, undefined],
    );
    for (const rangeLimit of [0, 251, 2.5]) {
      expect(() =>
        parse({ routes: [route('prod-eu-1')], environments: { production: { rangeLimit } } }),
      ).toThrow(/rangeLimit/);
    }
  });

  it('takes both kinds of promotion signal and an object filter', () => {
    const config = parse({
      routes: [route('prod-eu-1'), route('staging-1', { environment: 'staging' })],
      environments: {
        production: {
          objects: { kinds: ['Kustomization'], names: ['apps'] },
          promotion: { type: 'repository_dispatch', eventType: 'flux-production-ready' },
        },
        staging: { promotion: { type: 'webhook', url: 'https://ci.example.com/hook', secret: 'ci/key' } },
      },
    });

    expect(config.environments.production?.promotion).toEqual({
      type: 'repository_dispatch',
      eventType: 'flux-production-ready',
    });
    expect(config.environments.staging?.promotion?.type).toBe('webhook');
  });

  it('takes contexts that cannot meet: the defaults, a route context with a fixed part of its own, other repositories', () => {
    const config = parse({
      routes: [
        route('prod-eu-1'),
        route('prod-us-1', { context: 'cluster/{{env}}/{{kind}}/{{name}}' }),
        route('stage-1', { environment: 'staging', context: 'flux/{{kind}}/{{name}}' }),
        route('other-1', {
          environment: 'other',
          provider: { type: 'github', address: 'https://github.com/acme/other', secret: 's' },
        }),
      ],
      environments: {
        production: {},
        staging: { context: 'flux/{{environment}}/{{namespace}}/{{kind}}/{{name}}' },
        // The same contexts as production's, in another repository.
        other: { context: 'flux/production/{{kind}}/{{name}}' },
      },
    });

    expect(Object.keys(config.environments)).toEqual(['production', 'staging', 'other']);
  });

  it('is optional: a config without environments has none', () => {
    expect(parse({ routes: [route('prod-eu-1', { environment: undefined })] }).environments).toEqual({});
  });

  it.each([
    [
      'a route naming an unknown environment',
      { routes: [route('prod-eu-1', { environment: 'prod' })], environments: { production: {} } },
      /routes\[0\]\.environment: names no environment of "environments" \(production\)/,
    ],
    [
      'an environment no route names',
      { routes: [route('prod-eu-1')], environments: { production: {}, staging: {} } },
      /environments\.staging: no route names this environment/,
    ],
    [
      'two routes of one environment writing to different repositories',
      {
        routes: [
          route('prod-eu-1'),
          route('prod-us-1', {
            provider: { type: 'github', address: 'https://github.com/acme/other', secret: 's' },
          }),
        ],
        environments: { production: {} },
      },
      /routes\[1\]\.provider: must name the same repository as route "prod-eu-1"/,
    ],
    [
      'one cluster twice in an environment',
      {
        routes: [route('prod-eu-1', { cluster: 'eu' }), route('prod-eu-2', { cluster: 'eu' })],
        environments: { production: {} },
      },
      /routes\[1\]\.cluster: cluster "eu" is already in environment "production"/,
    ],
    [
      'repository_dispatch on a GitLab environment',
      {
        routes: [
          route('prod-eu-1', {
            provider: { type: 'gitlab', address: 'https://gitlab.com/acme/fleet', secret: 's' },
          }),
        ],
        environments: { production: { promotion: { type: 'repository_dispatch', eventType: 'go' } } },
      },
      /environments\.production\.promotion\.type: repository_dispatch needs GitHub routes/,
    ],
    [
      'clusterStatuses off on a route without an environment',
      { routes: [route('prod-eu-1', { environment: undefined, clusterStatuses: false })] },
      /routes\[0\]\.clusterStatuses: may be false only on a route with an environment/,
    ],
    [
      'a bad environment name',
      { routes: [route('prod-eu-1', { environment: 'Prod EU' })], environments: { 'Prod EU': {} } },
      /environments\.Prod EU: an environment name must be 1-63 characters/,
    ],
    [
      'a bad roll-up context template',
      { routes: [route('prod-eu-1')], environments: { production: { context: 'flux/{{env' } } },
      /environments\.production\.context: placeholders are written/,
    ],
    [
      'a webhook promotion without a secret',
      {
        routes: [route('prod-eu-1')],
        environments: { production: { promotion: { type: 'webhook', url: 'https://ci.example.com' } } },
      },
      /environments\.production\.promotion\.secret/,
    ],
    [
      'a route context that renders the roll-up context through event metadata',
      {
        routes: [route('prod-eu-1', { context: 'flux/{{env}}/{{kind}}/{{name}}' })],
        environments: { production: {} },
      },
      /routes\[0\]\.context: "flux\/\{\{env\}\}\/\{\{kind\}\}\/\{\{name\}\}" can render the roll-up context of environment "production"/,
    ],
    [
      'a cluster named like its environment in a route context',
      {
        routes: [route('production', { context: 'flux/{{cluster}}/{{kind}}/{{name}}' })],
        environments: { production: {} },
      },
      /routes\[0\]\.context: .* can render the roll-up context of environment "production"/,
    ],
    [
      'a route of another environment rendering this one literally',
      {
        routes: [
          route('prod-eu-1'),
          route('stage-1', { environment: 'staging', context: 'flux/production/kustomization/apps' }),
        ],
        environments: { production: {}, staging: {} },
      },
      /routes\[1\]\.context: .* environment "production"/,
    ],
    [
      'two environments of one repository whose contexts leave out the environment',
      {
        routes: [route('prod-eu-1'), route('stage-1', { environment: 'staging' })],
        environments: {
          production: { context: 'flux/{{kind}}/{{name}}' },
          staging: { context: 'flux/{{kind}}/{{name}}' },
        },
      },
      /environments\.staging\.context: "flux\/\{\{kind\}\}\/\{\{name\}\}" can render alike with environment "production"/,
    ],
  ])('refuses %s, naming the field', (_, config, message) => {
    expect(() => parse(config)).toThrow(message);
  });

  it.each([
    'http://ci.example.com/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://127.0.0.1:8443/hook',
    'https://localhost/hook',
    'https://10.0.0.7/hook',
    'https://[::1]/hook',
    'https://[fd00::1]/hook',
  ])('refuses a promotion webhook at %s', (url) => {
    const config = {
      routes: [route('prod-eu-1')],
      environments: { production: { promotion: { type: 'webhook', url, secret: 'ci/key' } } },
    };
    expect(() => parse(config)).toThrow(
      /environments\.production\.promotion\.url: must be an https URL of a public host/,
    );
  });
});
