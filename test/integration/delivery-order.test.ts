import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ForgeUnavailableError } from '../../functions/core/errors.js';
import { AFTER_FORGE_RESERVE_MS } from '../../functions/delivery/budget.js';
import type { CreateForgeClient } from '../../functions/delivery/forge-clients.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { MemoryLedger } from '../../functions/ledger/memory-ledger.js';
import type { StatusLedger } from '../../functions/ledger/status-ledger.js';
import type { DeliveryQueue, QueuedDelivery } from '../../functions/queue/delivery-queue.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { testRoute, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';
import { useSharedTable } from '../harness/shared-table.js';

/**
 * The one promise, through the whole relay: real octokit against a stateful GitHub on loopback,
 * two relays ("containers") sharing one ledger on dynalite through the real DynamoDB client, Flux's
 * own retries on a 5xx and the retry queue's redeliveries.
 */

/** Event times relative to now, on whole seconds as Flux stamps them: `at(5)` is five minutes later. */
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 3600_000;
const at = (minutes: number, seconds = 0) =>
  new Date(BASE + minutes * 60_000 + seconds * 1000).toISOString().replace('.000', '');
let shaCounter = 0;
const nextSha = () => (++shaCounter).toString(16).padStart(40, 'a');

const fluxEvent = (
  sha: string,
  verdict: Verdict,
  time: string,
  message = 'Deployment/apps/podinfo not ready',
) => verdictEvent(sha, verdict, time, { message });

/** A promise and its resolver, to hold one step of a delivery while others overtake it. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((done) => {
    open = done;
  });
  return { open, opened };
}

describe('the newest verdict wins through the relay', () => {
  const shared = useSharedTable();

  const shown = (sha: string) => shared.github.statusesOf('acme/fleet-infra', sha)[0];

  /** A container: its own memory and forge clients, the shared table, the real GitHub client. */
  function container(
    options: { ledger?: StatusLedger; createClient?: CreateForgeClient; queue?: DeliveryQueue } = {},
  ) {
    const harness = testRelay([testRoute(shared.github.url)], {
      ledger: options.ledger ?? new DynamoDbLedger(shared.table, shared.dynamo.clientConfig),
      ...(options.createClient ? { createClient: options.createClient } : {}),
      ...(options.queue ? { queue: options.queue } : {}),
    });
    const handler = createApiGatewayHandler(harness.relay);
    return {
      ...harness,
      send: async (body: string) => JSON.parse((await handler(apiEvent({ body }))).body),
    };
  }

  /** A client factory whose writes wait for `hold` before they go out. */
  function heldWrites(hold: Promise<void>): CreateForgeClient {
    return async (provider, credentials) => {
      const client = await createForgeClient(provider, credentials);
      return {
        write: async (status, options) => {
          await hold;
          return client.write(status, options);
        },
      };
    };
  }

  const unavailable = { status: 502, body: { message: 'Server Error' } };

  it('sequence 1: a repeat with a newer time advances the ledger, so an older retry cannot win', async () => {
    // Prepare: failure@10:00 is written; success@10:05 meets GitHub 502s and fails.
    const sha = nextSha();
    const a = container();
    await a.send(fluxEvent(sha, 'failure', at(0)));
    shared.github.script.push(unavailable, unavailable, unavailable);
    const failed = await a.send(fluxEvent(sha, 'success', at(5)));

    // Act: failure@10:06 (the same text as 10:00), then Flux's retry of success@10:05.
    const repeat = await a.send(fluxEvent(sha, 'failure', at(6)));
    const retried = await container().send(fluxEvent(sha, 'success', at(5)));

    // Assess
    expect(failed.error).toBe('forge-unavailable');
    expect(repeat.outcome).toMatch(/^(written|duplicate)$/);
    expect(retried.outcome).toBe('superseded');
    expect(shown(sha)?.state).toBe('failure');
  });

  it('sequence 2: an older event cannot overtake a newer one whose forge write is slow', async () => {
    // Prepare: A (failure@09:31) holds its forge write; B (success@09:25) comes in meanwhile.
    const sha = nextSha();
    const hold = gate();
    const a = container({ createClient: heldWrites(hold.opened) });
    const b = container();

    // Act
    const first = a.send(fluxEvent(sha, 'failure', at(-29)));
    await new Promise((done) => setTimeout(done, 100));
    const second = await b.send(fluxEvent(sha, 'success', at(-35)));
    hold.open();
    const firstAnswer = await first;

    // Assess: B found A's claim and wrote A's failure, not its own success; so did A.
    expect(second.outcome).toBe('superseded');
    expect(firstAnswer.outcome).toMatch(/^(written|duplicate)$/);
    expect(shared.github.statusesOf('acme/fleet-infra', sha).map((status) => status.state)).toEqual([
      'failure',
    ]);
  });

  it('sequence 2, inside one container: concurrent deliveries of one identity are taken in turn', async () => {
    // Prepare
    const sha = nextSha();
    const a = container({ ledger: new MemoryLedger() });

    // Act: the newer failure first, the older success right behind it, both in flight at once.
    const answers = await Promise.all([
      a.send(fluxEvent(sha, 'failure', at(-29))),
      a.send(fluxEvent(sha, 'success', at(-35))),
    ]);

    // Assess
    expect(answers.map((answer) => answer.outcome)).toEqual(['written', 'superseded']);
    expect(shown(sha)?.state).toBe('failure');
  });

  it('sequence 2, the ledger failing: nothing is written blind, and the delivery is queued', async () => {
    // Prepare
    const sha = nextSha();
    const queued: QueuedDelivery[] = [];
    const broken: StatusLedger = {
      read: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
      swap: async () => false,
    };
    const a = container({
      ledger: broken,
      queue: { enqueue: async (delivery) => void queued.push(delivery) },
    });

    // Act
    const answer = await a.send(fluxEvent(sha, 'failure', at(-29)));

    // Assess
    expect(answer).toMatchObject({ outcome: 'queued', reason: expect.stringMatching(/ledger/) });
    expect(shared.github.statusesOf('acme/fleet-infra', sha)).toEqual([]);
    expect(queued).toMatchObject([{ status: { sha, state: 'failure' } }]);
  });

  it('sequence 5: an event from a clock far ahead is refused and cannot outrank real ones', async () => {
    // Prepare
    const sha = nextSha();
    const a = container();

    // Act
    const future = await a.send(fluxEvent(sha, 'success', at(121)));
    const real = await a.send(fluxEvent(sha, 'failure', at(59)));
    const slightlyAhead = await a.send(fluxEvent(sha, 'success', at(63)));

    // Assess: an hour ahead is refused; three minutes ahead is within the default 5 minutes.
    expect(future).toMatchObject({
      error: 'future-event',
      reason: expect.stringMatching(/\d+ s ahead of this service's clock/),
    });
    expect(real.outcome).toBe('written');
    expect(slightlyAhead.outcome).toBe('written');
    expect(shown(sha)?.state).toBe('success');
  });

  it('sequence 4: with a short function timeout, a forge that never answers still ends queued', async () => {
    // Prepare: a GitHub that takes connections and never answers; an 8 s function timeout.
    const silent = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const { port } = silent.address() as AddressInfo;
    const queued: QueuedDelivery[] = [];
    const { relay } = testRelay([testRoute(`http://127.0.0.1:${port}`)], {
      ledger: new MemoryLedger(),
      queue: { enqueue: async (delivery) => void queued.push(delivery) },
    });
    const started = Date.now();

    // Act
    const response = await createApiGatewayHandler(relay)(
      apiEvent({ body: fluxEvent(nextSha(), 'failure', at(59)) }),
      {
        getRemainingTimeInMillis: () => 8000,
      },
    );
    silent.closeAllConnections();
    silent.close();

    // Assess: queued with time to spare for the hand-off (SQS: at most 2 attempts of 1.2 s).
    expect(JSON.parse(response.body)).toMatchObject({ outcome: 'queued' });
    expect(queued).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(8000 - AFTER_FORGE_RESERVE_MS / 2);
  });

  it('ends with the newest verdict for any order, duplicates, 502s with Flux retries and redeliveries', async () => {
    const verdict = fc.constantFrom<Verdict>('pending', 'success', 'failure');
    const plan = fc.record({
      events: fc.uniqueArray(fc.record({ second: fc.integer({ min: 0, max: 2 }), verdict }), {
        minLength: 1,
        maxLength: 3,
        selector: (event) => `${event.second}/${event.verdict}`,
      }),
      extra: fc.array(fc.nat({ max: 2 }), { maxLength: 2 }),
      faults: fc.array(fc.constantFrom('none', 'before', 'after'), { minLength: 6, maxLength: 6 }),
      sender: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), plan, async (s, { events, extra, faults, sender }) => {
        // Prepare: every forge write and ledger call is a step the scheduler orders.
        const sha = nextSha();
        const store = new DynamoDbLedger(shared.table, shared.dynamo.clientConfig);
        const ledger: StatusLedger = {
          read: s.scheduleFunction((key: string) => store.read(key)),
          swap: s.scheduleFunction((key: string, version: number | undefined, next) =>
            store.swap(key, version, next),
          ),
        };
        let writeCount = 0;
        const createClient: CreateForgeClient = async (provider, credentials) => {
          const client = await createForgeClient(provider, credentials);
          return {
            write: async (status, options) => {
              // The first writes meet the planned faults; later ones succeed, as an outage ends.
              const fault = faults[writeCount++] ?? 'none';
              await s.schedule(Promise.resolve(), `write ${status.state} goes out`);
              if (fault === 'before') throw new ForgeUnavailableError('GitHub answered 502');
              const result = await client.write(status, options);
              await s.schedule(Promise.resolve(), `write ${status.state} answered`);
              if (fault === 'after') throw new ForgeUnavailableError('the answer was lost');
              return result;
            },
          };
        };
        const queued: QueuedDelivery[] = [];
        const containers = [
          container({
            ledger,
            createClient,
            queue: { enqueue: async (delivery) => void queued.push(delivery) },
          }),
          container({ ledger, createClient }),
        ];
        const bodies = events.map((event) => fluxEvent(sha, event.verdict, at(0, event.second)));
        const deliveries = [...bodies.keys(), ...extra.filter((index) => index < bodies.length)];

        // Act: Flux retries a 5xx (here until the outage is over); the queue redelivers what it took, twice.
        async function deliver(index: number, order: number) {
          await s.schedule(Promise.resolve(), `delivery ${order} arrives`);
          const from = containers[sender[order % sender.length] ? 1 : 0];
          for (let attempt = 0; attempt <= faults.length; attempt++) {
            const answer = await from?.send(bodies[index] as string);
            if (answer.error === undefined) return;
          }
        }
        await s.waitFor(Promise.all(deliveries.map(deliver)));
        faults.fill('none');
        await s.waitFor(
          (async () => {
            for (const delivery of [...queued, ...queued])
              await containers[0]?.redeliver(delivery, 2, { maxAttempts: 8, delayMs: 30_000 });
          })(),
        );

        // Assess: the newest event: latest second, then a verdict over pending, then failure.
        const rank = { pending: 0, success: 1, failure: 2 };
        const newest = [...events]
          .sort((x, y) => x.second - y.second || rank[x.verdict] - rank[y.verdict])
          .pop();
        expect(shown(sha)?.state).toBe(newest?.verdict);
      }),
      { numRuns: 60 },
    );
  });
});
