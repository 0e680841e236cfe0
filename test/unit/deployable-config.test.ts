import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployableIssues } from '../../functions/config/deployable.js';
import { parseEnvironmentConfig } from '../../functions/config/environment-config.js';
import { loadEnvironment } from '../../infra/environments.js';

const route = (provider: Record<string, unknown>) => ({
  id: 'prod-eu-1',
  auth: { secret: 'webhook' },
  provider: { type: 'gitea', address: 'https://git.example.com/acme/fleet', secret: 'gitea', ...provider },
});

const parse = (config: unknown) => parseEnvironmentConfig(JSON.stringify(config), 'test.json');

describe('a deployable environment refuses URLs the function in AWS can never use', () => {
  it.each([
    ['a loopback API', { apiUrl: 'https://127.0.0.1:3000' }, 'apiUrl', /is a loopback address/],
    ['localhost', { apiUrl: 'https://localhost/api/v1' }, 'apiUrl', /is a loopback address/],
    ['IPv6 loopback', { apiUrl: 'https://[::1]:3000' }, 'apiUrl', /is a loopback address/],
    ['a link-local address', { apiUrl: 'https://169.254.169.254' }, 'apiUrl', /is a link-local address/],
    ['IPv6 link-local', { apiUrl: 'https://[fe80::1]/' }, 'apiUrl', /is a link-local address/],
    [
      'IPv4-mapped loopback',
      { apiUrl: 'https://[::ffff:127.0.0.1]:3000' },
      'apiUrl',
      /is a loopback address/,
    ],
    [
      'IPv4-mapped link-local',
      { apiUrl: 'https://[::ffff:a9fe:a9fe]/' },
      'apiUrl',
      /is a link-local address/,
    ],
    [
      'IPv4-mapped unspecified',
      { apiUrl: 'https://[::ffff:0.0.0.0]/' },
      'apiUrl',
      /is the unspecified address/,
    ],
    [
      'plain http',
      { address: 'http://git.example.com/acme/fleet' },
      'address',
      /is plain http: .* use https:\/\//,
    ],
  ])('%s', (_, provider, field, message) => {
    const issues = deployableIssues(parse({ routes: [route(provider)] }));

    expect(issues).toEqual([
      { path: ['routes', 0, 'provider', field], message: expect.stringMatching(message) },
    ]);
  });

  it('checks the details page origin too (the schema itself refuses a promotion webhook that is not https)', () => {
    const config = parse({
      routes: [{ ...route({}), environment: 'production', detailsPage: true }],
      environments: {
        production: { promotion: { type: 'webhook', url: 'https://ci.example.com/hook', secret: 'ci' } },
      },
      detailsPage: { secret: 'details-key', baseUrl: 'http://localhost:8080' },
    });

    expect(deployableIssues(config).map((issue) => issue.path.join('.'))).toEqual(['detailsPage.baseUrl']);
  });

  it('accepts https forges and ssh addresses', () => {
    const config = parse({
      routes: [route({}), { ...route({ address: 'ssh://git@git.example.com/acme/fleet' }), id: 'ssh' }],
    });

    expect(deployableIssues(config)).toEqual([]);
  });
});

describe('cdk synth applies the rule to every environment but the local one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fcs-deployable-'));
  const config = JSON.stringify({ routes: [route({ apiUrl: 'http://127.0.0.1:3000' })] });
  writeFileSync(join(dir, 'local.json'), config);
  writeFileSync(join(dir, 'staging.json'), config);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets the local config keep a loopback forge, for npm start', () => {
    expect(loadEnvironment('local', dir).config.routes[0]?.provider.apiUrl).toBe('http://127.0.0.1:3000');
  });

  it('refuses it in any other environment, naming the file and the field', () => {
    expect(() => loadEnvironment('staging', dir)).toThrow(
      /staging\.json: routes\[0\]\.provider\.apiUrl: "http:\/\/127\.0\.0\.1:3000" is a loopback address/,
    );
  });
});
