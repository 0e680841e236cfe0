import { describe, expect, it } from 'vitest';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { eventOf, FIXTURES, fixture, MemorySecrets, sign, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { useForge } from '../harness/forge-behaviour.js';
import { profile as github } from '../harness/forges/github.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const SHA = 'df277975d2783b0e7fd4d0487d990bd60442923c';
const REPO = 'acme/fleet-infra';

/**
 * GitHub's behaviour on a stateful loopback fake: every request it receives is also checked against
 * GitHub's official description (through Prism), so a request GitHub would refuse fails the test.
 */
describe('GitHub through the relay', () => {
  const forge = useForge(github);

  it('costs no forge call at all for a repeat this container already wrote', async () => {
    const { handler } = forge.setup();
    await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    const before = forge.fake.requests.length;

    const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(JSON.parse(response.body).outcome).toBe('duplicate');
    expect(forge.fake.requests.length).toBe(before);
  });

  it('writes again when the state changed, and reads the newest status of the context past page one', async () => {
    // Prepare: 150 statuses of other contexts are newer than ours.
    await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    const list = forge.fake.statusesOf(REPO, SHA);
    for (let i = 0; i < 150; i++) {
      list.unshift({
        id: 1000 + i,
        state: 'success',
        context: `other/${i}`,
        description: null,
        target_url: null,
        created_at: '',
      });
    }
    const failing = eventOf(FIXTURES.reconciled);
    failing.severity = 'error';
    failing.reason = 'HealthCheckFailed';
    const body = JSON.stringify(failing);

    // Act: a fresh container sees the same success again (a duplicate), then a failure.
    const repeat = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    const change = await forge.setup().handler(apiEvent({ body }));

    // Assess
    expect(JSON.parse(repeat.body).outcome).toBe('duplicate');
    expect(JSON.parse(change.body).outcome).toBe('written');
    expect(forge.fake.statusesOf(REPO, SHA)[0]).toMatchObject({
      state: 'failure',
      context: 'kustomization/apps/prod-eu-1',
    });
    expect(
      forge.fake.requests.filter((r) => r.method === 'GET').some((r) => r.query.get('page') === '2'),
    ).toBe(true);
  });

  it('truncates the description to GitHub’s 140 characters', async () => {
    const failing = eventOf(FIXTURES.healthCheckFailed);
    failing.message = 'x'.repeat(500);
    await forge.setup().handler(apiEvent({ body: JSON.stringify(failing) }));

    const written = forge.fake.statusesOf(REPO, 'a549a44b3316991928c80b3bee0eb916d16c9dcc')[0];
    expect(Array.from(written?.description ?? '')).toHaveLength(140);
  });

  it('cuts a context rendered from long metadata to GitHub’s 255 characters', async () => {
    const route = forge.route({ context: '{{kind}}/{{name}}/{{a}}/{{b}}/{{c}}' });
    const { relay } = testRelay([route]);
    const event = eventOf(FIXTURES.reconciled);
    Object.assign(event.metadata, { a: 'a'.repeat(100), b: 'b'.repeat(100), c: 'c'.repeat(100) });

    const response = await apiGatewayHandler(relay)(apiEvent({ body: JSON.stringify(event) }));

    expect(response.statusCode).toBe(200);
    const written = forge.fake.statusesOf(REPO, SHA)[0];
    expect(Array.from(written?.context ?? '')).toHaveLength(255);
    expect(written?.context.startsWith('kustomization/apps/aaa')).toBe(true);
  });

  it('answers 400 naming the field when metadata in the context has a bidirectional override', async () => {
    const { relay } = testRelay([forge.route({ context: '{{kind}}/{{name}}/{{env}}' })]);
    const event = eventOf(FIXTURES.reconciled);
    event.metadata.env = 'x\n\u202eCI/Build';

    const response = await apiGatewayHandler(relay)(apiEvent({ body: JSON.stringify(event) }));

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'bad-request', reason: /metadata "env"/ });
    expect(forge.fake.statusesOf(REPO, SHA)).toEqual([]);
  });

  it('retries a 500 and writes the status', async () => {
    forge.fake.script.push({ status: 500, body: { message: 'boom' } });

    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(200);
    expect(forge.fake.statusesOf(REPO, SHA)).toHaveLength(1);
  });

  it('reports 502 when GitHub keeps failing, so that Flux retries', async () => {
    for (let i = 0; i < 10; i++) forge.fake.script.push({ status: 503, body: { message: 'unavailable' } });
    const { handler, records } = forge.setup();

    const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body)).toMatchObject({
      error: 'forge-unavailable',
      reason: expect.stringMatching(/503/),
    });
    expect(response.headers?.['retry-after']).toBe('2');
    expect(forge.fake.requests).toHaveLength(3);
    expect(records[0]).toMatchObject({ outcome: 'failed', forgeStatus: 503 });
  });

  it('waits for a secondary rate limit’s Retry-After and then writes', async () => {
    forge.fake.script.push({
      status: 403,
      headers: { 'retry-after': '1' },
      body: {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      },
    });
    const started = Date.now();

    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(forge.fake.statusesOf(REPO, SHA)).toHaveLength(1);
  });

  it('does not wait for a primary rate limit that resets after the deadline: 502', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    forge.fake.script.push({
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded' },
    });

    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(502);
    expect(forge.fake.requests).toHaveLength(1);
  });

  it('picks up a rotated token after a 401', async () => {
    // Prepare: the cached token is stale; the store already holds the new one.
    const secrets = new MemorySecrets({
      'test/webhook': { token: WEBHOOK_KEY },
      'test/forge': { token: 'old-token' },
    });
    const { handler } = forge.setup({ secrets });
    await handler(apiEvent({ body: fixture(FIXTURES.progressing) }));
    secrets.values['test/forge'] = { token: 'new-token' };
    forge.fake.script.push({ status: 401, body: { message: 'Bad credentials' } });

    // Act
    const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(forge.fake.requests.at(-1)?.headers.authorization).toBe('token new-token');
  });

  it.each([
    [404, /repository or commit not found/],
    [422, /refused the status.*No more than 1000 statuses/],
  ])('reports GitHub’s final %i as 424 without retrying', async (status, message) => {
    const text =
      status === 422 ? 'No more than 1000 statuses may be created for a sha and context' : 'Not Found';
    forge.fake.script.push({ status, body: { message: text } });

    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(424);
    expect(JSON.parse(response.body).reason).toMatch(message);
    expect(forge.fake.requests).toHaveLength(1);
  });

  it('gives up at the deadline when GitHub is slower than the budget: 502', async () => {
    forge.fake.script.push({ status: 200, body: [], delayMs: 3000 });
    const started = Date.now();

    const response = await forge
      .setup({ budgetMs: 500 })
      .handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body).reason).toMatch(/did not answer in time/);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('reports a connection reset as 502 after retrying', async () => {
    for (let i = 0; i < 3; i++) forge.fake.script.push({ status: 0, reset: true });

    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(502);
    expect(forge.fake.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('writes nothing in dryRun and still answers what it would write', async () => {
    const { relay, records } = testRelay([forge.route({ dryRun: true })]);

    const response = await apiGatewayHandler(relay)(
      apiEvent({
        body: fixture(FIXTURES.reconciled),
        headers: { 'x-signature': sign(fixture(FIXTURES.reconciled)) },
      }),
    );

    expect(JSON.parse(response.body)).toMatchObject({
      outcome: 'dry-run',
      state: 'success',
      context: 'kustomization/apps/prod-eu-1',
    });
    expect(forge.fake.requests).toHaveLength(0);
    expect(records[0]).toMatchObject({ outcome: 'dry-run', description: 'reconciliation succeeded' });
  });
});
