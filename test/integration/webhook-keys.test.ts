import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import { SecretsManagerSource } from '../../functions/secrets/secrets-manager-source.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { WebhookKeys } from '../../functions/webhook/webhook-keys.js';
import { fromApiGateway } from '../../functions/webhook/webhook-request.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FakeSecretsManager } from '../fakes/fake-secrets-manager.js';
import { FIXTURES, fixture, sign, testRoute, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const CURRENT = 'test/webhook';
const NEXT = 'test/webhook-next';

/**
 * A fake Secrets Manager holding `secrets` and the forge's token, a fake GitHub, and console.warn
 * (where unreadable keys are reported) spied on, for one describe block.
 */
function useFakes(secrets: Record<string, string>) {
  const fakes = {} as {
    aws: FakeSecretsManager;
    github: FakeGitHub;
    warn: MockInstance<typeof console.warn>;
  };

  beforeAll(async () => {
    fakes.aws = await new FakeSecretsManager().start();
    fakes.github = await new FakeGitHub().start();
    for (const [name, value] of Object.entries(secrets)) fakes.aws.secrets.set(name, value);
    fakes.aws.secrets.set('test/forge', JSON.stringify({ token: 'ghp_webhookKeysToken00000' }));
  });

  afterAll(async () => {
    await fakes.aws.stop();
    await fakes.github.stop();
  });

  beforeEach(() => {
    fakes.warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  });

  afterEach(() => {
    fakes.warn.mockRestore();
  });

  return fakes;
}

/** A rotation as the README describes it: both names listed, the next one not created yet. */
describe('webhook keys during a rotation', () => {
  const fakes = useFakes({ [CURRENT]: JSON.stringify({ token: WEBHOOK_KEY }) });

  function setup(secret: string | string[] = [CURRENT, NEXT]) {
    const { relay, records } = testRelay([testRoute(fakes.github.url, { auth: { secret } })], {
      secrets: new SecretsManagerSource(fakes.aws.clientConfig()),
    });
    return { handler: createApiGatewayHandler(relay), records };
  }

  it('verifies with the key that exists and reports the missing one once', async () => {
    const { handler, records } = setup();

    const first = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    const calls = fakes.aws.calls;
    const second = await handler(apiEvent({ body: fixture(FIXTURES.healthCheckFailed) }));

    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(records.map((record) => record.outcome)).toEqual(['written', 'written']);
    // The missing secret is remembered as missing; the current one is cached: no call for either.
    expect(fakes.aws.calls - calls).toBe(0);
    expect(fakes.warn).toHaveBeenCalledTimes(1);
    const line = JSON.parse(fakes.warn.mock.calls[0]?.[0] as string);
    expect(line).toMatchObject({ level: 'WARN', route: 'test', secret: NEXT, error: 'route-misconfigured' });
    expect(JSON.stringify(line)).not.toContain(WEBHOOK_KEY);
  });

  it('refuses a wrong signature with 401, counted as rejected, naming no secret', async () => {
    const { handler, records } = setup();
    const body = fixture(FIXTURES.reconciled);

    const response = await handler(
      apiEvent({ body, headers: { 'content-type': 'application/json', 'x-signature': sign(body, 'guess') } }),
    );

    expect(response.statusCode).toBe(401);
    expect(records[0]).toMatchObject({ outcome: 'rejected', error: 'unauthorized' });
    expect(response.body).not.toContain('test/webhook');
  });

  it('refuses an unsigned request before reading any secret', async () => {
    const { handler, records } = setup(['test/never-created']);
    const calls = fakes.aws.calls;

    const response = await handler(
      apiEvent({ body: fixture(FIXTURES.reconciled), headers: { 'content-type': 'application/json' } }),
    );

    expect(response.statusCode).toBe(401);
    expect(records[0]).toMatchObject({ outcome: 'rejected', error: 'unauthorized' });
    expect(fakes.aws.calls).toBe(calls);
    expect(fakes.warn).not.toHaveBeenCalled();
  });

  it('fails a route none of whose keys can be read, without naming them to the caller', async () => {
    const { handler, records } = setup(['test/gone-1', 'test/gone-2']);

    const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      error: 'route-misconfigured',
      reason: 'no webhook key of route test can be read; the function log says which and why',
    });
    expect(records[0]).toMatchObject({ outcome: 'failed', error: 'route-misconfigured' });
    expect(fakes.warn.mock.calls.map((call) => JSON.parse(call[0] as string).secret)).toEqual([
      'test/gone-1',
      'test/gone-2',
    ]);
  });

  it('reports an unreadable key again only after the cache period', async () => {
    let now = 0;
    const reports: string[] = [];
    const secrets = new SecretsManagerSource(fakes.aws.clientConfig(), () => now);
    const keys = new WebhookKeys({
      warn: (_, details) => reports.push(details.secret as string),
      now: () => now,
    });
    const route = testRoute(fakes.github.url, { auth: { secret: [CURRENT, NEXT] } });
    const body = fixture(FIXTURES.reconciled);
    const request = fromApiGateway(apiEvent({ body }));

    for (let i = 0; i < 3; i++) await keys.authenticate(route, request, secrets);
    now += 299_000;
    await keys.authenticate(route, request, secrets);
    expect(reports).toEqual([NEXT]);
    now += 1_000;
    await keys.authenticate(route, request, secrets);
    expect(reports).toEqual([NEXT, NEXT]);
  });
});

/** Per-cluster keys in one shared secret: `{"secret": "…", "key": "<cluster>"}`. */
describe('webhook keys in a shared secret', () => {
  const SHARED = 'test/fleet-webhooks';
  const fakes = useFakes({
    [SHARED]: JSON.stringify({ 'prod-eu-1': WEBHOOK_KEY, 'prod-us-1': 'the-key-of-prod-us-1' }),
  });

  function setup(...keys: string[]) {
    const route = (id: string, key: string[]) =>
      testRoute(fakes.github.url, {
        id,
        auth: { secret: key.map((name) => ({ secret: SHARED, key: name })) },
      });
    const { relay, records } = testRelay([route('eu', keys), route('us', ['prod-us-1'])], {
      secrets: new SecretsManagerSource(fakes.aws.clientConfig()),
    });
    return { handler: createApiGatewayHandler(relay), records };
  }

  it('verifies each route with its own key, read from one secret with one call for every route', async () => {
    const { handler, records } = setup('prod-eu-1');
    const calls = fakes.aws.calls;
    const body = fixture(FIXTURES.reconciled);
    const usBody = fixture(FIXTURES.healthCheckFailed);

    const eu = await handler(apiEvent({ route: 'eu', body }));
    const us = await handler(
      apiEvent({
        route: 'us',
        body: usBody,
        headers: { 'content-type': 'application/json', 'x-signature': sign(usBody, 'the-key-of-prod-us-1') },
      }),
    );

    expect([eu.statusCode, us.statusCode]).toEqual([200, 200]);
    expect(records.map((record) => record.outcome)).toEqual(['written', 'written']);
    // The shared secret and the forge's: nothing per route.
    expect(fakes.aws.calls - calls).toBe(2);
  });

  it("refuses a cluster signing with another cluster's key from the same secret", async () => {
    const { handler, records } = setup('prod-eu-1');
    const body = fixture(FIXTURES.reconciled);

    const response = await handler(
      apiEvent({
        route: 'eu',
        body,
        headers: { 'content-type': 'application/json', 'x-signature': sign(body, 'the-key-of-prod-us-1') },
      }),
    );

    expect(response.statusCode).toBe(401);
    expect(records[0]).toMatchObject({ outcome: 'rejected', error: 'unauthorized' });
  });

  it('rotates as with secrets of their own: the key not in the secret yet is reported once, by name', async () => {
    const { handler, records } = setup('prod-eu-1', 'prod-eu-1-next');

    const first = await handler(apiEvent({ route: 'eu', body: fixture(FIXTURES.reconciled) }));
    const second = await handler(apiEvent({ route: 'eu', body: fixture(FIXTURES.healthCheckFailed) }));

    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(records.map((record) => record.outcome)).not.toContain('rejected');
    expect(fakes.warn).toHaveBeenCalledTimes(1);
    const line = JSON.parse(fakes.warn.mock.calls[0]?.[0] as string);
    expect(line).toMatchObject({
      route: 'eu',
      secret: SHARED,
      key: 'prod-eu-1-next',
      error: 'route-misconfigured',
    });
    expect(JSON.stringify(line)).not.toContain(WEBHOOK_KEY);
    expect(JSON.stringify(line)).not.toContain('the-key-of-prod-us-1');
  });

  it("fails a route whose key is in no secret with a 500 that names neither, and scrubs every cluster's key", async () => {
    const { handler, records } = setup('prod-gone');
    const response = await handler(apiEvent({ route: 'eu', body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain(SHARED);
    expect(records[0]).toMatchObject({ outcome: 'failed', error: 'route-misconfigured' });
    const line = JSON.parse(fakes.warn.mock.calls[0]?.[0] as string);
    expect(line.reason).toContain('key "prod-gone" of secret "test/fleet-webhooks"');
  });
});
