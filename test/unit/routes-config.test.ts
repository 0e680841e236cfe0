import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEnvironmentConfig } from '../../functions/config/environment-config.js';
import { RESERVED_ROUTE_IDS } from '../../functions/config/route-schema.js';
import { ConfigError } from '../../functions/core/errors.js';
import { pendingKey } from '../../functions/ledger/pending-index.js';
import { ROLLUP_PENDING_PREFIX } from '../../functions/pending/rollup-pending-key.js';

const route = {
  id: 'prod-eu-1',
  cluster: 'prod-eu-1',
  auth: { type: 'hmac', secret: 'flux-commit-status/prod-eu-1/webhook' },
  provider: {
    type: 'github',
    address: 'https://github.com/acme/fleet-infra',
    secret: 'flux-commit-status/github-acme',
  },
};

function parse(config: unknown) {
  return parseEnvironmentConfig(JSON.stringify(config), 'prod.json');
}

describe('environment config', () => {
  it('fills the documented defaults', () => {
    const config = parse({ routes: [route] });

    expect(config.routes[0]).toMatchObject({
      dryRun: false,
      pending: true,
      context: '{{kind}}/{{name}}/{{cluster}}',
      auth: { type: 'hmac' },
    });
    expect(config.routes[0]?.targetUrl).toBeUndefined();
    expect(config.routes[0]?.events).toBeUndefined();
  });

  it('accepts the full example of the issue', () => {
    const full = {
      ...route,
      provider: {
        ...route.provider,
        address: 'https://ghe.example.com/acme/fleet-infra',
        apiUrl: 'https://ghe.example.com/api/v3',
      },
      dryRun: false,
      pending: true,
      context: '{{kind}}/{{name}}/{{cluster}}',
      targetUrl: 'https://grafana.example.com/d/flux?var-cluster={{cluster}}',
      events: { kinds: ['Kustomization'], names: ['apps'], severities: ['info', 'error'] },
    };
    expect(parse({ routes: [full] }).routes[0]?.provider.apiUrl).toBe('https://ghe.example.com/api/v3');
  });

  it("accepts a cluster's key in a shared secret, beside secrets of their own, in a rotation", () => {
    const shared = { secret: 'flux-commit-status/fleet-webhooks', key: 'prod-eu-1' };
    const config = parse({ routes: [{ ...route, auth: { secret: [shared, 'old'] } }] });
    expect(config.routes[0]?.auth.secret).toEqual([shared, 'old']);
  });

  it.each([
    ['a key Flux gives to no secret', 'username', /auth\.secret/],
    ['an empty key', '', /auth\.secret/],
    ['a key with a space', 'prod eu', /auth\.secret/],
  ])('refuses a shared secret with %s', (_, key, message) => {
    expect(() =>
      parse({ routes: [{ ...route, auth: { secret: { secret: 'fleet/webhooks', key } } }] }),
    ).toThrow(message);
  });

  it.each([
    [
      'helmrelease',
      /routes\[0\]\.events\.kinds\[0\]: "helmrelease" is not a Flux kind \(kinds are case-sensitive\): did you mean "HelmRelease"\?/,
    ],
    [
      'Kustomisation',
      /routes\[0\]\.events\.kinds\[0\]: "Kustomisation" is not a Flux kind .*did you mean "Kustomization"\?/,
    ],
    [
      'Deployment',
      /routes\[0\]\.events\.kinds\[0\]: "Deployment" is not a Flux kind; Flux's kinds \(case-sensitive\) are Bucket, GitRepository, Kustomization/,
    ],
  ])(
    'refuses the kind %s at load, as Flux compares kinds exactly, suggesting the nearest',
    (kind, expected) => {
      expect(() => parse({ routes: [{ ...route, events: { kinds: [kind] } }] })).toThrow(expected);
    },
  );

  it("checks the kinds of a fleet environment's objects the same way", () => {
    const config = {
      routes: [{ ...route, environment: 'production' }],
      environments: { production: { objects: { kinds: ['kustomization'] } } },
    };
    expect(() => parse(config)).toThrow(
      /environments\.production\.objects\.kinds\[0\]: "kustomization" is not a Flux kind .*did you mean "Kustomization"\?/,
    );
  });

  it('accepts several webhook secrets for a rotation', () => {
    const config = parse({ routes: [{ ...route, auth: { secret: ['old', 'new'] } }] });
    expect(config.routes[0]?.auth.secret).toEqual(['old', 'new']);
  });

  it.each([
    ['a bad route id', { ...route, id: 'Prod_EU' }, /routes\[0\]\.id: must be 1-63 characters/],
    ['a route id with a path', { ...route, id: '../admin' }, /routes\[0\]\.id/],
    [
      'the route id "rollup", which the roll-ups\' pending keys use',
      { ...route, id: 'rollup' },
      /routes\[0\]\.id: "rollup" is reserved: the service's own keys begin with it/,
    ],
    [
      'an unknown provider type',
      { ...route, provider: { ...route.provider, type: 'svn' } },
      /routes\[0\]\.provider\.type/,
    ],
    [
      'a malformed address',
      { ...route, provider: { ...route.provider, address: 'https://github.com/acme' } },
      /routes\[0\]\.provider\.address: .*<owner>\/<repo>/,
    ],
    [
      'an address that is no URL',
      { ...route, provider: { ...route.provider, address: 'not a url' } },
      /provider\.address: "not a url" is not a repository URL/,
    ],
    [
      'a missing provider secret',
      { ...route, provider: { ...route.provider, secret: undefined } },
      /provider\.secret: is required unless the route is a dryRun/,
    ],
    ['a missing auth secret', { ...route, auth: { type: 'hmac' } }, /routes\[0\]\.auth\.secret/],
    ['an unknown auth type', { ...route, auth: { type: 'basic', secret: 'x' } }, /routes\[0\]\.auth\.type/],
    ['a misspelt field', { ...route, dryrun: true }, /Unrecognized key: "dryrun"/],
    ['a broken template', { ...route, context: '{{kind}/{{name}}' }, /routes\[0\]\.context: placeholders/],
    [
      'a secret name with spaces',
      { ...route, provider: { ...route.provider, secret: 'my secret' } },
      /provider\.secret: must be a Secrets Manager/,
    ],
  ])('refuses %s, naming the field', (_, bad, message) => {
    expect(() => parse({ routes: [bad] })).toThrow(ConfigError);
    expect(() => parse({ routes: [bad] })).toThrow(message);
  });

  it('takes a throttle of a route’s own, and refuses one that is not positive, naming the field', () => {
    const config = parse({ routes: [{ ...route, throttle: { rateLimit: 2.5, burstLimit: 5 } }] });
    expect(config.routes[0]?.throttle).toEqual({ rateLimit: 2.5, burstLimit: 5 });

    expect(() => parse({ routes: [{ ...route, throttle: { rateLimit: 0, burstLimit: 5 } }] })).toThrow(
      /routes\[0\]\.throttle\.rateLimit/,
    );
    expect(() => parse({ routes: [{ ...route, throttle: { rateLimit: 1 } }] })).toThrow(
      /routes\[0\]\.throttle\.burstLimit/,
    );
  });

  it('refuses duplicate route ids', () => {
    expect(() => parse({ routes: [route, route] })).toThrow(
      /routes\[1\]\.id: duplicate route id "prod-eu-1"/,
    );
  });

  it('names duplicate route ids together with the other faults of the file', () => {
    const bad = { ...route, provider: { ...route.provider, address: 'https://github.com/acme' } };
    expect(() => parse({ routes: [bad, bad] })).toThrow(
      /provider\.address.*routes\[1\]\.id: duplicate route id/,
    );
  });

  it('refuses a config without routes, and text that is not JSON', () => {
    expect(() => parse({ routes: [] })).toThrow(/prod\.json: routes/);
    expect(() => parseEnvironmentConfig('{', 'prod.json')).toThrow(/prod\.json: not valid JSON/);
  });

  it('accepts every config file committed in the repository', () => {
    const folder = new URL('../../config/', import.meta.url);
    const files = readdirSync(folder).filter((name) => name.endsWith('.json') && !name.includes('secrets'));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      expect(() => parseEnvironmentConfig(readFileSync(new URL(name, folder), 'utf8'), name)).not.toThrow();
    }
  });

  it('reserves every route id that an internal pending key begins with', () => {
    const internal = [ROLLUP_PENDING_PREFIX];
    for (const prefix of internal) {
      const word = prefix.split('|')[1] as string;
      expect(RESERVED_ROUTE_IDS).toContain(word);
      expect(pendingKey(word, 'Kustomization/flux-system/apps').startsWith(prefix)).toBe(true);
    }
  });
});
