import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderingContentionError } from '../../functions/core/errors.js';
import {
  appendDetails,
  type DetailsEntry,
  type DetailsStore,
  MAX_DETAILS_MESSAGE,
} from '../../functions/ledger/details-store.js';
import { DynamoDbDetailsStore } from '../../functions/ledger/dynamodb-details-store.js';
import { MemoryDetailsStore } from '../../functions/ledger/memory-details-store.js';
import { eventOrder } from '../../functions/ledger/status-ledger.js';
import { startDynalite } from '../fakes/dynalite.js';

const SUBJECT = {
  identity:
    'github||https://github.com/acme/fleet-infra|a549a44b3316991928c80b3bee0eb916d16c9dcc|kustomization/apps/c|',
  forge: 'github',
  repository: 'https://github.com/acme/fleet-infra',
  sha: 'a549a44b3316991928c80b3bee0eb916d16c9dcc',
  context: 'kustomization/apps/c',
};

function entryOf(time: number, state: DetailsEntry['state']): DetailsEntry {
  return {
    order: eventOrder(time * 1000, { state, description: state, targetUrl: '' }),
    state,
    reason: state,
    message: `${state} at ${time}`,
    revision: 'main@sha1:a549a44b3316991928c80b3bee0eb916d16c9dcc',
    cluster: 'c',
    object: 'Kustomization/flux-system/apps',
    eventTime: new Date(time * 1000).toISOString(),
    receivedAt: new Date(time * 1000).toISOString(),
  };
}

/** A container's view of the shared store: each answer arrives when the scheduler says. */
function scheduledStore(s: fc.Scheduler, store: DetailsStore): DetailsStore {
  return {
    read: s.scheduleFunction((id: string) => store.read(id)),
    swap: s.scheduleFunction((id: string, version: number | undefined, next) =>
      store.swap(id, version, next),
    ),
  };
}

const plans = fc.uniqueArray(
  fc.record({
    time: fc.integer({ min: 0, max: 5 }),
    state: fc.constantFrom('pending', 'success', 'failure'),
  }),
  { minLength: 1, maxLength: 6, selector: (plan) => `${plan.time}/${plan.state}` },
) as fc.Arbitrary<Array<{ time: number; state: DetailsEntry['state'] }>>;

describe('the details record under explored interleavings', () => {
  it('loses no entry, keeps them newest first, and shows the newest event as the verdict', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), plans, fc.nat({ max: 3 }), async (s, planned, repeats) => {
        // Prepare: three containers over one store; some events arrive twice (Flux re-sends).
        const shared = new MemoryDetailsStore();
        const stores = [0, 1, 2].map(() => scheduledStore(s, shared));
        const deliveries = [...planned, ...planned.slice(0, repeats)];

        async function append(plan: (typeof planned)[number], index: number) {
          for (let round = 0; ; round++) {
            try {
              return await appendDetails(
                stores[index % 3] as DetailsStore,
                'id',
                SUBJECT,
                entryOf(plan.time, plan.state),
                100 + index,
              );
            } catch (error) {
              if (!(error instanceof OrderingContentionError) || round >= 5) throw error;
            }
          }
        }

        // Act
        await s.waitFor(Promise.all(deliveries.map(append)));

        // Assert
        const record = await shared.read('id');
        const expected = planned
          .map((plan) => entryOf(plan.time, plan.state))
          .sort((a, b) => (a.order < b.order ? 1 : -1));
        expect(record?.entries).toEqual(expected);
        expect(record?.entries[0]?.order).toBe(expected[0]?.order);
        // A repeat writes nothing; the first arrival of each entry, the original or its repeat, did.
        expect(record?.expiresAt).toBeGreaterThanOrEqual(100 + planned.length - 1);
        expect(record?.expiresAt).toBeLessThanOrEqual(100 + deliveries.length - 1);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the details record in DynamoDB (dynalite)', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;

  beforeAll(async () => {
    dynamo = await startDynalite();
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  it('takes concurrent appends from two containers, under its own key prefix, with the TTL attribute', async () => {
    // Prepare
    const table = await dynamo.createTable();
    const containers = [
      new DynamoDbDetailsStore(table, dynamo.clientConfig),
      new DynamoDbDetailsStore(table, dynamo.clientConfig),
    ];
    const entries = [0, 1, 2, 3, 4, 5].map((time) => entryOf(time, time % 2 ? 'failure' : 'pending'));
    entries[5] = { ...(entries[5] as DetailsEntry), message: 'x'.repeat(MAX_DETAILS_MESSAGE + 100) };

    // Act
    await Promise.all(
      entries.map(async (entry, index) => {
        for (let round = 0; ; round++) {
          try {
            return await appendDetails(
              containers[index % 2] as DetailsStore,
              'abc',
              SUBJECT,
              entry,
              2_000_000_000,
            );
          } catch (error) {
            if (!(error instanceof OrderingContentionError) || round >= 5) throw error;
          }
        }
      }),
    );

    // Assert
    const record = await containers[0]?.read('abc');
    expect(record?.entries.map((entry) => entry.eventTime.slice(17, 19))).toEqual([
      '05',
      '04',
      '03',
      '02',
      '01',
      '00',
    ]);
    const cut = record?.entries[0]?.message ?? '';
    expect(cut.endsWith('…')).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(cut))).toBeLessThanOrEqual(MAX_DETAILS_MESSAGE);
    expect(Buffer.byteLength(JSON.stringify(cut))).toBeGreaterThan(MAX_DETAILS_MESSAGE - 8);
    expect(record).toMatchObject({ ...SUBJECT, version: 6, expiresAt: 2_000_000_000 });
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: 'details|abc' } } }),
    );
    expect(Item?.expiresAt).toEqual({ N: '2000000000' });
    expect(await containers[1]?.read('other')).toBeUndefined();
  });

  it('stays below DynamoDB’s 400 KB with messages of escaped control characters, event after event', async () => {
    const table = await dynamo.createTable();
    const store = new DynamoDbDetailsStore(table, dynamo.clientConfig);
    // Each character is six bytes once JSON-encoded: 8 K characters are 48 KB.
    const control = '\u0001'.repeat(MAX_DETAILS_MESSAGE);

    for (let time = 0; time < 20; time++) {
      const entry = { ...entryOf(time, time % 2 ? 'failure' : 'pending'), message: `${time}${control}` };
      await appendDetails(store, 'big', SUBJECT, entry, 2_000_000_000);
    }

    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: 'details|big' } } }),
    );
    const bytes = Buffer.byteLength(Item?.record?.S ?? '');
    expect(bytes).toBeLessThan(200 * 1024);
    const record = await store.read('big');
    expect(record?.entries).toHaveLength(12);
    expect(record?.entries[0]?.message.startsWith('19')).toBe(true);
  });
});

describe('re-sends of one verdict', () => {
  it('write the record when the verdict changes, not at each event, and are counted as repeats', async () => {
    const shared = new MemoryDetailsStore();
    let writes = 0;
    const store: DetailsStore = {
      read: (id) => shared.read(id),
      swap: (id, version, next) => {
        writes++;
        return shared.swap(id, version, next);
      },
    };
    const resend = (time: number, state: DetailsEntry['state']) => ({
      ...entryOf(time, state),
      message: `${state}, as before`,
    });

    const told = [];
    for (let time = 1; time <= 6; time++)
      told.push(await appendDetails(store, 'id', SUBJECT, resend(time, 'failure'), 1));
    for (let time = 7; time <= 12; time++)
      told.push(await appendDetails(store, 'id', SUBJECT, resend(time, 'success'), 1));

    expect(writes).toBe(2);
    expect(told.filter((each) => each === 'repeat')).toHaveLength(10);
    const record = await shared.read('id');
    expect(record?.entries.map((entry) => [entry.state, entry.eventTime.slice(17, 19)])).toEqual([
      ['success', '07'],
      ['failure', '01'],
    ]);
  });
});
