import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { identityOf } from '../../functions/delivery/status-delivery.js';
import { detailsId, detailsToken } from '../../functions/details/details-token.js';
import { appendDetails, type DetailsEntry } from '../../functions/ledger/details-store.js';
import { LEDGER_TTL_SECONDS } from '../../functions/ledger/dynamodb-store.js';
import { MemoryDetailsStore } from '../../functions/ledger/memory-details-store.js';
import { eventOrder } from '../../functions/ledger/status-ledger.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { createDetailsPage } from '../../functions/webhook/details-page.js';
import { createDetailsService } from '../../functions/webhook/details-service.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import {
  eventOf,
  FIXTURES,
  FORGE_TOKEN,
  fixture,
  MemorySecrets,
  testRoute,
  verdictEvent,
  WEBHOOK_KEY,
} from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const BASE = 'https://status.example.com';
const KEY_1 = 'details-key-one-0123456789abcdef';
const KEY_2 = 'details-key-two-0123456789abcdef';
const KEY_3 = 'details-key-three-0123456789abcd';

function getEvent(path: string, method = 'GET'): APIGatewayProxyEventV2 {
  const event = apiEvent({ body: '', method });
  const token = /^\/details\/([^/]+)$/.exec(path)?.[1];
  return {
    ...event,
    routeKey: 'GET /details/{token}',
    rawPath: path,
    ...(token === undefined ? {} : { pathParameters: { token } }),
    requestContext: {
      ...event.requestContext,
      routeKey: 'GET /details/{token}',
      http: { ...event.requestContext.http, method, path },
    },
  };
}

/** One function as the stack deploys it: the webhook and the pages over one store, at a clock the test moves. */
async function service(route: Parameters<typeof testRoute>[1] = {}) {
  const github = await new FakeGitHub().start();
  const secrets = new MemorySecrets({
    'test/webhook': { token: WEBHOOK_KEY },
    'test/forge': { token: FORGE_TOKEN },
    'test/details-key': { token: KEY_1 },
  });
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const routes = [testRoute(github.url, { detailsPage: true, ...route })];
  const details = createDetailsService(
    { secret: 'test/details-key', baseUrl: BASE, throttle: { rateLimit: 10, burstLimit: 20 } },
    { secrets, store: new MemoryDetailsStore(), baseUrl: () => undefined, routes, now },
  );
  const { relay, sweep } = testRelay(routes, {
    secrets,
    details: details.links,
    now,
  });
  const handler = createApiGatewayHandler(relay, now, details.page);
  async function deliver(body: Buffer | string) {
    const response = await handler(apiEvent({ body }));
    expect(response.statusCode).toBe(200);
    const [status] = github.statusesOf('acme/fleet-infra', 'a549a44b3316991928c80b3bee0eb916d16c9dcc');
    return status?.target_url as string;
  }
  async function open(link: string, method = 'GET') {
    return handler(getEvent(link.slice(BASE.length), method));
  }
  function rotate(next: string) {
    const old = (secrets.values['test/details-key'] as { token: string }).token;
    secrets.values['test/details-key'] = { token: next, previous: old };
  }
  return { github, deliver, open, rotate, clock, sweep };
}

describe('details links', () => {
  it('lists on the deployed commit’s page the commits it carried, which link to it', async () => {
    // Prepare: W deployed, then c1, c2 and X pushed together and X deployed.
    const { github, deliver, open } = await service();
    const [w] = github.graph.chain('details-base', 1);
    const [c1, c2, x] = github.graph.chain('details-burst', 3, w) as [string, string, string];
    await deliver(verdictEvent(w as string, 'success', Date.now() - 60_000));

    // Act
    await deliver(verdictEvent(x, 'success', Date.now() - 30_000));
    const link = github.statusesOf('acme/fleet-infra', x)[0]?.target_url as string;
    const page = await open(link);

    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Commits it carried (2)');
    expect(page.body.indexOf(c2)).toBeGreaterThan(0);
    expect(page.body.indexOf(c2)).toBeLessThan(page.body.indexOf(c1));
    expect(page.body).toContain(`Since <code>${w}</code>`);
    expect(github.statusesOf('acme/fleet-infra', c1)[0]).toMatchObject({
      description: `deployed with ${x.slice(0, 7)}`,
      target_url: link,
    });
    await github.stop();
  });

  it('shows the sweep’s error as the forge does, for a verdict that never came', async () => {
    // Prepare: a pending status, its page linked.
    const { deliver, open, clock, sweep } = await service();
    const link = await deliver(fixture(FIXTURES.progressing));
    clock.now += 31 * 60_000;

    // Act
    const swept = await sweep();
    const page = await open(link);

    // Assess
    expect(swept.resolved).toBe(1);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('No verdict');
    expect(page.body).toContain('no verdict from prod-eu-1 within 30m');
  });

  it('point the status at its page, which answers with the security headers', async () => {
    // Prepare
    const { github, deliver, open } = await service();

    // Act
    const link = await deliver(fixture(FIXTURES.healthCheckFailed));
    const response = await open(link);

    // Assert
    expect(link).toMatch(/^https:\/\/status\.example\.com\/details\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    expect(String(response.headers?.['content-security-policy'])).toMatch(
      /^default-src 'none'; style-src 'sha256-/,
    );
    expect(String(response.headers?.['content-security-policy'])).not.toMatch(/script-src/);
    expect(response.body).toContain('Deployment/apps/podinfo');
    await github.stop();
  });

  it('links a preview environment’s URL instead of the page, as a targetUrl template would be', async () => {
    const { github, deliver } = await service();
    const body = eventOf(FIXTURES.healthCheckFailed);
    body.metadata['preview-url'] = 'https://pr-42.preview.example.com/';

    const link = await deliver(JSON.stringify(body));

    expect(link).toBe('https://pr-42.preview.example.com/');
    await github.stop();
  });

  it('keeps one link for every event of the identity', async () => {
    // Prepare
    const { github, deliver } = await service();

    // Act
    const first = await deliver(fixture(FIXTURES.progressing));
    const second = await deliver(fixture(FIXTURES.healthCheckFailed));

    // Assert
    expect(second).toBe(first);
    await github.stop();
  });

  it('leaves the link to the route’s own targetUrl template when it has one', async () => {
    // Prepare
    const { github, deliver } = await service({
      targetUrl: 'https://grafana.example.com/d/flux?c={{cluster}}',
    });

    // Act
    const link = await deliver(fixture(FIXTURES.healthCheckFailed));

    // Assert
    expect(link).toBe('https://grafana.example.com/d/flux?c=prod-eu-1');
    await github.stop();
  });

  it.each([
    ['a wrong mac', (link: string) => `${link.slice(0, -4)}${link.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`],
    ['a wrong id', (link: string) => link.replace('/details/', '/details/x').replace(/x(.{21}).\./, 'x$1.')],
    ['a truncated token', (link: string) => link.slice(0, -1)],
    ['a padded token', (link: string) => `${link}A`],
    ['no token', () => `${BASE}/details/`],
    ['markup for a token', () => `${BASE}/details/%3Cscript%3E`],
  ])('answers %s with the plain 404 page', async (_, alter) => {
    // Prepare
    const { github, deliver, open } = await service();
    const link = await deliver(fixture(FIXTURES.healthCheckFailed));

    // Act
    const response = await open(alter(link));

    // Assert
    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<h1>Page not found</h1>');
    expect(response.body).not.toContain('podinfo');
    await github.stop();
  });

  it('answers 404 once the record has expired with the ledger’s TTL, and not a second before', async () => {
    // Prepare
    const { github, deliver, open, clock } = await service();
    const link = await deliver(fixture(FIXTURES.healthCheckFailed));
    const written = clock.now;

    // Act
    clock.now = written + LEDGER_TTL_SECONDS * 1000 - 1000;
    const before = await open(link);
    clock.now = written + LEDGER_TTL_SECONDS * 1000 + 1000;
    const after = await open(link);

    // Assert
    expect(before.statusCode).toBe(200);
    expect(after.statusCode).toBe(404);
    await github.stop();
  });

  it('keeps old links working for one rotation of the key, and signs new ones with the new key', async () => {
    // Prepare
    const { github, deliver, open, rotate } = await service();
    const old = await deliver(fixture(FIXTURES.progressing));

    // Act
    rotate(KEY_2);
    const afterOne = await open(old);
    const failure = eventOf(FIXTURES.healthCheckFailed);
    failure.timestamp = '2026-07-14T09:40:00Z';
    const renewed = await deliver(JSON.stringify(failure));
    rotate(KEY_3);
    const afterTwo = await open(old);
    const renewedAfterOne = await open(renewed);

    // Assert
    expect(afterOne.statusCode).toBe(200);
    expect(renewed).not.toBe(old);
    expect(afterTwo.statusCode).toBe(404);
    expect(renewedAfterOne.statusCode).toBe(200);
    await github.stop();
  });

  it('refuses other methods on a page, and says nothing of the key when it cannot be read', async () => {
    // Prepare
    const { github, deliver, open, rotate } = await service();
    const link = await deliver(fixture(FIXTURES.healthCheckFailed));

    // Act
    const post = await open(link, 'POST');
    rotate('');
    const unreadable = await open(link);

    // Assert
    expect(post.statusCode).toBe(405);
    expect(post.headers?.allow).toBe('GET, HEAD');
    expect(unreadable.statusCode).toBe(503);
    expect(unreadable.body).not.toMatch(/details-key|test\//);
    await github.stop();
  });
});

describe('the details page before and after its key', () => {
  const route = testRoute('http://127.0.0.1:9', { detailsPage: true });
  const identity = identityOf(route, {
    sha: 'a549a44b3316991928c80b3bee0eb916d16c9dcc',
    state: 'failure',
    context: 'kustomization/apps/prod-eu-1',
    description: 'x',
  });
  const entry = (message: string): DetailsEntry => ({
    order: eventOrder(Date.now(), { state: 'failure', description: 'x', targetUrl: '' }),
    state: 'failure',
    reason: 'HealthCheckFailed',
    message,
    revision: 'main@sha1:a549a44b3316991928c80b3bee0eb916d16c9dcc',
    cluster: 'prod-eu-1',
    object: 'Kustomization/flux-system/apps',
    eventTime: new Date().toISOString(),
    receivedAt: new Date().toISOString(),
  });

  async function pageWith(key: Record<string, string>, message = 'health check failed') {
    const secrets = new MemorySecrets({
      'test/webhook': { token: WEBHOOK_KEY },
      'test/forge': { token: FORGE_TOKEN },
      'test/details-key': key,
    });
    const store = new MemoryDetailsStore();
    await appendDetails(
      store,
      detailsId(identity),
      { identity, forge: 'github', repository: route.provider.address, sha: 'a'.repeat(40), context: 'c' },
      entry(message),
      Math.floor(Date.now() / 1000) + 3600,
    );
    let reads = 0;
    const failures: Array<{ reason: string; errorName: string }> = [];
    const page = createDetailsPage({
      secret: 'test/details-key',
      secrets,
      store: {
        read: (id) => {
          reads++;
          return store.read(id);
        },
        swap: (id, v, next) => store.swap(id, v, next),
      },
      routes: [route],
      observe: (failure) => failures.push(failure),
    });
    const open = (token: string) =>
      createApiGatewayHandler(
        async () => {
          throw new Error('not a webhook');
        },
        Date.now,
        page,
      )(getEvent(`/details/${token}`));
    return { open, reads: () => reads, failures };
  }

  it('checks the MAC before any read, and answers a forged token as it answers a missing page', async () => {
    const { open, reads } = await pageWith({ token: KEY_1 });
    const forged = `${detailsId(identity)}.${'A'.repeat(43)}`;
    const missing = detailsToken(Buffer.from(KEY_1), 'github||nowhere');

    const [forgedAnswer, missingAnswer] = [await open(forged), await open(missing)];

    expect(reads()).toBe(1);
    expect(forgedAnswer.statusCode).toBe(404);
    expect(forgedAnswer).toEqual(missingAnswer);
    expect((await open(detailsToken(Buffer.from(KEY_1), identity))).statusCode).toBe(200);
  });

  it.each([
    ['without "token" (a botched rotation)', {}, /has no "token"/],
    ['with a one-character key', { token: 'k' }, /"token" has 1 bytes; at least 32 are needed/],
  ])('logs and counts a key secret %s, and answers 503', async (_, key, reason) => {
    const { open, failures } = await pageWith(key);

    const answer = await open(detailsToken(Buffer.from(KEY_1), identity));

    expect(answer.statusCode).toBe(503);
    expect(failures).toEqual([
      { reason: expect.stringMatching(reason), errorName: 'RouteMisconfiguredError' },
    ]);
  });

  it('accepts no previous key too short to trust, and still serves the links of the current one', async () => {
    const short = 'short';
    const { open, failures } = await pageWith({ token: KEY_1, previous: short });

    const current = await open(detailsToken(Buffer.from(KEY_1), identity));
    const weak = await open(detailsToken(Buffer.from(short), identity));

    expect(current.statusCode).toBe(200);
    expect(weak.statusCode).toBe(404);
    expect(failures).toEqual([]);
  });

  it('scrubs the route’s secrets at serve time, as well as the page key', async () => {
    const { open } = await pageWith(
      { token: KEY_1 },
      `clone failed: https://x:${FORGE_TOKEN}@github.com, key ${WEBHOOK_KEY}, page ${KEY_1}`,
    );

    const answer = await open(detailsToken(Buffer.from(KEY_1), identity));

    expect(answer.statusCode).toBe(200);
    for (const secret of [FORGE_TOKEN, WEBHOOK_KEY, KEY_1]) expect(answer.body).not.toContain(secret);
  });
});
