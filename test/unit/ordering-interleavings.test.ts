import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ForgeUnavailableError, OrderingContentionError } from '../../functions/core/errors.js';
import { deliverInOrder } from '../../functions/delivery/ordering.js';
import { MemoryLedger } from '../../functions/ledger/memory-ledger.js';
import { eventOrder, type ShownStatus, type StatusLedger } from '../../functions/ledger/status-ledger.js';
import { scheduledLedger, step } from '../harness/scheduled.js';

/**
 * The ordering protocol on its own, over a ledger and a forge whose every step the scheduler
 * orders: ledger reads and swaps resolve in any order, a forge write lands at one step and answers
 * at another (so an older write can land after a newer one), and a write may fail before it lands
 * or after (the answer lost). Each failed delivery is retried, as Flux or the queue would, and the
 * last try succeeds. Whatever the order, the forge ends with the newest event's status.
 */

interface PlannedEvent {
  time: number;
  state: ShownStatus['state'];
}

interface PlannedDelivery {
  event: number;
  /** Per attempt: undefined (fine), 'before' (the request fails), 'after' (the answer is lost). */
  faults: Array<'before' | 'after' | undefined>;
}

const events = fc.uniqueArray(
  fc.record({
    time: fc.integer({ min: 0, max: 3 }),
    state: fc.constantFrom('pending', 'success', 'failure'),
  }),
  { minLength: 1, maxLength: 4, selector: (event) => `${event.time}/${event.state}` },
) as fc.Arbitrary<PlannedEvent[]>;

function deliveriesOf(count: number): fc.Arbitrary<PlannedDelivery[]> {
  const delivery = fc.record({
    event: fc.nat({ max: count - 1 }),
    faults: fc.array(fc.constantFrom<'before' | 'after' | undefined>(undefined, 'before', 'after'), {
      maxLength: 2,
    }),
  });
  // Every event is delivered at least once; some twice or more (Flux re-sends, redeliveries).
  return fc
    .array(delivery, { maxLength: 4 })
    .map((extra) => [
      ...Array.from({ length: count }, (_, event) => ({ event, faults: [] as PlannedDelivery['faults'] })),
      ...extra,
    ])
    .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }));
}

const shownOf = (event: PlannedEvent): ShownStatus => ({
  state: event.state,
  description: event.state === 'failure' ? 'health check failed' : `reconciliation ${event.state}`,
  targetUrl: '',
});

function newest(planned: PlannedEvent[]): ShownStatus {
  const ordered = [...planned].sort((a, b) =>
    eventOrder(a.time * 1000, shownOf(a)) < eventOrder(b.time * 1000, shownOf(b)) ? -1 : 1,
  );
  return shownOf(ordered[ordered.length - 1] as PlannedEvent);
}

describe('the ordering protocol under explored interleavings', () => {
  it('leaves the forge with the newest event’s status, and the ledger confirmed on it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        events.chain((planned) => fc.tuple(fc.constant(planned), deliveriesOf(planned.length))),
        async (s, [planned, deliveries]) => {
          // Prepare: two containers, one shared ledger, one forge.
          const shared = new MemoryLedger();
          const ledgers = [scheduledLedger(s, shared), scheduledLedger(s, shared)];
          const forge: { shows?: ShownStatus; writes: number } = { writes: 0 };
          let writers = 0;
          let clock = 0;

          async function attempt(delivery: PlannedDelivery, index: number, round: number) {
            const event = planned[delivery.event] as PlannedEvent;
            const fault = delivery.faults[round];
            return deliverInOrder({
              ledger: ledgers[index % 2] as StatusLedger,
              key: 'identity',
              eventTime: event.time * 1000,
              status: shownOf(event),
              writerId: `writer-${writers++}`,
              writeExpiresAt: clock + 10_000,
              now: () => clock,
              write: async (status) => {
                await step(s, `write ${status.state} goes out`);
                if (fault === 'before') throw new ForgeUnavailableError('GitHub answered 502');
                forge.shows = status;
                forge.writes++;
                await step(s, `write ${status.state} answered`);
                if (fault === 'after') throw new ForgeUnavailableError('the answer was lost');
                return 'written' as const;
              },
            });
          }

          async function deliver(delivery: PlannedDelivery, index: number) {
            await step(s, `delivery ${index} arrives`);
            // A storm of deliveries may end one in OrderingContentionError (a 503): Flux retries it too.
            for (let round = 0; ; round++) {
              try {
                return await attempt(delivery, index, round);
              } catch (error) {
                const contention = error instanceof OrderingContentionError;
                if (round >= delivery.faults.length + (contention ? 5 : 0)) throw error;
              }
            }
          }

          // Act
          await s.waitFor(Promise.all(deliveries.map(deliver)));

          // Assess
          expect(forge.shows).toEqual(newest(planned));
          const item = await shared.read('identity');
          expect(item?.claim.status).toEqual(newest(planned));
          // A failed writer holds confirmation off until it expires, since its write may land late.
          const failed = deliveries.some((delivery) => delivery.faults.length > 0);
          if (!failed) expect(item).toMatchObject({ confirmed: true, writers: {} });

          // Act: a repeat of any event once every failed writer has expired.
          clock = 60_000;
          const late = await deliverInOrder({
            ledger: shared,
            key: 'identity',
            eventTime: 0,
            status: shownOf(planned[0] as PlannedEvent),
            writerId: 'late',
            writeExpiresAt: clock + 10_000,
            now: () => clock,
            write: async (status) => {
              forge.shows = status;
              return 'written' as const;
            },
          });

          // Assess: the forge still shows the newest, and the ledger is settled on it.
          expect(forge.shows).toEqual(newest(planned));
          expect(await shared.read('identity')).toMatchObject({ confirmed: true, writers: {} });
          if (!failed) expect(late).not.toBe('written');
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('never writes twice for repeats of what the forge already shows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 6 }), async (s, repeats) => {
        // Prepare
        const shared = new MemoryLedger();
        let writes = 0;
        const status = shownOf({ time: 1, state: 'success' });

        // Act: the same event, and later repeats of it, from two containers at once.
        await s.waitFor(
          Promise.all(
            Array.from({ length: repeats }, (_, index) =>
              deliverInOrder({
                ledger: scheduledLedger(s, shared),
                key: 'identity',
                eventTime: 1000 + index * 1000,
                status,
                writerId: `writer-${index}`,
                writeExpiresAt: Number.MAX_SAFE_INTEGER,
                now: () => 0,
                write: async () => {
                  writes++;
                  await step(s, 'write');
                  return 'written' as const;
                },
              }),
            ),
          ),
        );

        // Assess: concurrent first deliveries may each write; once confirmed, no repeat does.
        expect(writes).toBeGreaterThanOrEqual(1);
        expect(writes).toBeLessThanOrEqual(repeats);
        const again = await deliverInOrder({
          ledger: shared,
          key: 'identity',
          eventTime: 99_000,
          status,
          writerId: 'late',
          writeExpiresAt: Number.MAX_SAFE_INTEGER,
          now: () => 0,
          write: async () => {
            writes += 100;
            return 'written' as const;
          },
        });
        expect(again).toBe('duplicate');
        expect(writes).toBeLessThanOrEqual(repeats);
      }),
      { numRuns: 100 },
    );
  });

  it('repairs an older write that landed after a newer one and lost its answer, on the retry', async () => {
    // Prepare: found by the relay-level property under load. W1 (older success) registers first.
    const ledger = new MemoryLedger();
    const forge: { shows?: ShownStatus } = {};
    const success = shownOf({ time: 1, state: 'success' });
    const failure = shownOf({ time: 2, state: 'failure' });
    let release: () => void = () => undefined;
    const held = new Promise<void>((done) => {
      release = done;
    });
    const delivery = (
      status: ShownStatus,
      time: number,
      writerId: string,
      write: (s: ShownStatus) => Promise<void>,
    ) =>
      deliverInOrder({
        ledger,
        key: 'identity',
        eventTime: time,
        status,
        writerId,
        writeExpiresAt: 10_000,
        now: () => 0,
        write: async (shown) => {
          await write(shown);
          return 'written' as const;
        },
      });

    // Act: W1's write waits; W2 claims, writes and settles; W1's write lands late and loses its answer.
    const w1 = delivery(success, 1000, 'w1', async (shown) => {
      await held;
      forge.shows = shown;
      throw new ForgeUnavailableError('the answer was lost');
    });
    await new Promise((done) => setTimeout(done, 10));
    const w2 = await delivery(failure, 2000, 'w2', async (shown) => {
      forge.shows = shown;
    });
    release();
    await expect(w1).rejects.toThrow('the answer was lost');
    const shownAfterLoss = forge.shows;
    const retry = await delivery(success, 1000, 'w1-retry', async (shown) => {
      forge.shows = shown;
    });

    // Assess
    expect(w2).toBe('written');
    expect(shownAfterLoss).toEqual(success);
    expect(retry).toBe('superseded');
    expect(forge.shows).toEqual(failure);
  });
});
