import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InProcessQueue } from '../../functions/queue/in-process-queue.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { sign, testRoute, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const SPACING_MS = 600;
const DEFER_AFTER_MS = 200;
const SHA = 'ab'.repeat(20);
const APPS = 'kustomization/apps/prod-eu-1';

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await new Promise((done) => setTimeout(done, 20));
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * GitHub's write spacing held longer than the threshold: the webhook hands the write to the retry
 * queue, delayed by the wait, instead of sleeping in a billed invocation; the ledger keeps the order.
 */
describe('write spacing deferred to the retry queue', () => {
  let github: FakeGitHub;
  let queue: InProcessQueue;

  beforeEach(async () => {
    vi.stubEnv('GITHUB_WRITE_SPACING_MS', String(SPACING_MS));
    github = await new FakeGitHub().start();
  });

  afterEach(async () => {
    queue.stop();
    vi.unstubAllEnvs();
    await github.stop();
  });

  function setup() {
    // The queue's delay is the wait in whole seconds (1 s here), stretched to 2 s: the event sent
    // meanwhile then finds the client's slot free.
    const harness = testRelay([testRoute(github.url)], {
      queue: (redeliver) => new InProcessQueue(redeliver, { backoffScale: 2 }),
      deferSpacingAfterMs: DEFER_AFTER_MS,
    });
    queue = harness.queue as InProcessQueue;
    const handler = createApiGatewayHandler(harness.relay);
    const send = async (body: string) => {
      const response = await handler(apiEvent({ body, headers: { 'x-signature': sign(body) } }));
      return { statusCode: response.statusCode, body: JSON.parse(response.body) };
    };
    return { send, records: harness.records };
  }

  const latest = (context: string) =>
    github.statusesOf('acme/fleet-infra', SHA).find((status) => status.context === context);

  it('answers 202 queued instead of waiting, then the queue writes the status', async () => {
    const { send, records } = setup();
    const now = Date.now();

    const first = await send(verdictEvent(SHA, 'success', now - 60_000, { name: 'infra' }));
    const started = Date.now();
    const held = await send(verdictEvent(SHA, 'failure', now - 60_000));
    const answeredMs = Date.now() - started;

    expect(first.statusCode).toBe(200);
    expect(held).toMatchObject({ statusCode: 202, body: { outcome: 'queued' } });
    expect(held.body.reason).toMatch(/write spacing/);
    // It did not sleep for its slot.
    expect(answeredMs).toBeLessThan(SPACING_MS - 100);
    expect(github.writes).toHaveLength(1);

    await until(() => records.length === 3);
    expect(records.map((record) => record.outcome)).toEqual(['written', 'queued', 'written']);
    expect(latest(APPS)).toMatchObject({ state: 'failure' });
    expect(queue.pending).toBe(0);
  });

  it.each([
    ['the older event deferred, the newer written meanwhile', 'older'],
    ['the newer event deferred, the older arriving meanwhile', 'newer'],
  ] as const)('ends with the newest verdict on the forge: %s', async (_, deferred) => {
    const { send, records } = setup();
    const now = Date.now();
    const older = verdictEvent(SHA, 'success', now - 120_000);
    const newer = verdictEvent(SHA, 'failure', now - 60_000);
    const [held, meanwhile] = deferred === 'older' ? [older, newer] : [newer, older];

    // Another identity's write takes the client's slot; the held event then waits longer than the threshold.
    await send(verdictEvent(SHA, 'success', now - 60_000, { name: 'infra' }));
    expect((await send(held)).body.outcome).toBe('queued');
    await sleep(SPACING_MS + 50);
    expect((await send(meanwhile)).statusCode).toBe(200);
    await until(() => records.length === 4);

    expect(records.map((record) => record.outcome)).not.toContain('failed');
    expect(latest(APPS)).toMatchObject({ state: 'failure', description: 'health check failed: not ready' });
    expect(queue.pending).toBe(0);
  });
});
