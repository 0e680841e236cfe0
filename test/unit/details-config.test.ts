import { describe, expect, it } from 'vitest';
import { parseEnvironmentConfig } from '../../functions/config/environment-config.js';

const route = {
  id: 'prod-eu-1',
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

describe('the details page settings', () => {
  it('are off by default, and take the key secret, an origin and a throttle', () => {
    expect(parse({ routes: [route] }).routes[0]?.detailsPage).toBe(false);
    const config = parse({
      routes: [{ ...route, detailsPage: true }],
      detailsPage: { secret: 'flux-commit-status/details-key', baseUrl: 'https://status.example.com/flux' },
    });
    expect(config.detailsPage).toEqual({
      secret: 'flux-commit-status/details-key',
      baseUrl: 'https://status.example.com/flux',
      throttle: { rateLimit: 10, burstLimit: 20 },
    });
  });

  it('refuse a route with detailsPage in an environment without a page key, naming the field', () => {
    expect(() => parse({ routes: [route, { ...route, id: 'b', detailsPage: true }] })).toThrow(
      `prod.json: routes[1].detailsPage: needs the environment's "detailsPage": {"secret": "<the page key's secret>"}`,
    );
  });

  it('refuse pages without the shared ledger, where they are kept', () => {
    expect(() =>
      parse({
        routes: [{ ...route, detailsPage: true }],
        detailsPage: { secret: 'k' },
        deployment: { ledger: false },
      }),
    ).toThrow(`deployment.ledger: must be true while route "prod-eu-1" has detailsPage`);
  });

  it.each([
    'https://status.example.com/',
    'status.example.com',
    'https://status.example.com/?a=1',
    'javascript:alert(1)',
  ])('refuse %s as the origin', (baseUrl) => {
    expect(() => parse({ routes: [route], detailsPage: { secret: 'k', baseUrl } })).toThrow(
      'detailsPage.baseUrl: must be an http(s) URL without a trailing "/", query or fragment',
    );
  });
});
