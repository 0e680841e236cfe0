import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvironmentConfig } from '../../functions/config/environment-config.js';
import { formatDuration, parseDuration } from '../../functions/core/duration.js';
import { DynamoDbPendingIndex, PENDING_DUE_INDEX } from '../../functions/ledger/dynamodb-pending-index.js';
import { LEDGER_TTL_SECONDS } from '../../functions/ledger/dynamodb-store.js';
import { MemoryPendingIndex } from '../../functions/ledger/memory-pending-index.js';
import type { PendingEntry, PendingIndex, PendingObject } from '../../functions/ledger/pending-index.js';
import {
  changeEntries,
  MAX_PENDING_PER_OBJECT,
  withPending,
  withVerdict,
} from '../../functions/pending/pending-entries.js';
import { createPendingSweep } from '../../functions/pending/sweep.js';
import { startDynalite } from '../fakes/dynalite.js';
import { MemorySecrets, testRoute } from '../harness/flux-fixtures.js';

const OBJECT = 'Kustomization/flux-system/apps';
const HOUR = 3600_000;
const sha = (n: number) => n.toString(16).padStart(40, '0');
const entry = (n: number, dueAt?: number): PendingEntry => ({
  sha: sha(n),
  context: 'kustomization/apps/prod-eu-1',
  since: n * 1000,
  ...(dueAt === undefined ? {} : { timeoutMs: 1800_000, dueAt }),
});
const item = (entries: PendingEntry[], version = 1): PendingObject => ({
  routeId: 'test',
  object: OBJECT,
  entries,
  version,
});

describe('pendingTimeout in the route config', () => {
  const parse = (pendingTimeout: unknown) =>
    parseEnvironmentConfig(JSON.stringify({ routes: [{ ...testRouteInput(), pendingTimeout }] }), 'prod.json')
      .routes[0]?.pendingTimeout;

  it('defaults to 30 minutes, takes Flux-style durations, and false for off', () => {
    expect(
      parseEnvironmentConfig(JSON.stringify({ routes: [testRouteInput()] }), 'prod.json').routes[0],
    ).toMatchObject({ pendingTimeout: '30m' });
    expect(parse('1h30m')).toBe('1h30m');
    expect(parse(false)).toBe(false);
  });

  it.each([['10s'], ['169h'], ['30'], ['half an hour'], [true], [''], [30]])(
    'refuses %j naming the field',
    (value) => {
      expect(() => parse(value)).toThrow(/prod\.json: routes\[0\]\.pendingTimeout/);
    },
  );

  it('reads and writes durations as Flux does', () => {
    expect(parseDuration('1h30m')).toBe(5400_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('')).toBeUndefined();
    expect(parseDuration('5d')).toBeUndefined();
    expect(formatDuration(1800_000)).toBe('30m');
    expect(formatDuration(5445_000)).toBe('1h30m45s');
  });
});

function testRouteInput() {
  const { pendingTimeout: _, ...route } = testRoute('https://api.github.com');
  return route;
}

describe('pending entries', () => {
  const route = testRoute('https://api.github.com');
  const status = (n: number, state: 'pending' | 'success' | 'failure' = 'pending') => ({
    sha: sha(n),
    state,
    context: 'kustomization/apps/prod-eu-1',
    description: '',
  });

  it('keeps the newest pending of an identity, and ignores an older repeat', () => {
    const first = withPending([], route, OBJECT, status(1), 5000, 0) ?? [];

    expect(first).toMatchObject([{ sha: sha(1), since: 5000, dueAt: 5000 + 1800_000 }]);
    expect(withPending(first, route, OBJECT, status(1), 4000, 0)).toBeUndefined();
    expect(withPending(first, route, OBJECT, status(1), 6000, 0)).toMatchObject([{ since: 6000 }]);
  });

  it(`resolves at once the oldest beyond ${MAX_PENDING_PER_OBJECT} pending commits of one object`, () => {
    let entries: PendingEntry[] = [];
    for (let n = 1; n <= MAX_PENDING_PER_OBJECT + 2; n++) {
      entries = withPending(entries, route, OBJECT, status(n), n * 1000, 99) ?? entries;
    }

    const owed = entries.filter((one) => one.owed !== undefined);
    expect(owed.map((one) => [one.sha, one.dueAt])).toEqual([
      [sha(1), 99],
      [sha(2), 99],
    ]);
    expect(owed[0]?.owed).toMatchObject({
      state: 'error',
      description: `no verdict from prod-eu-1; more than 50 newer commits are pending on ${OBJECT}`,
    });
  });

  it('a verdict resolves its own entry, owes the older ones, and leaves a newer one', () => {
    const entries = [entry(1, 1), entry(2, 2), entry(9, 9)];

    const next = withVerdict(entries, route, status(2, 'success'), 5000, 77) ?? [];

    expect(next.map((one) => [one.sha, one.owed?.state, one.dueAt])).toEqual([
      [sha(1), 'success', 77],
      [sha(9), undefined, 9],
    ]);
    expect(next[0]?.owed).toMatchObject({
      description: 'superseded by 0000000, deployed with it',
      targetUrl: `https://github.com/acme/fleet-infra/commit/${sha(2)}`,
      eventTime: 5000,
    });
  });
});

describe.each([
  ['memory', async () => new MemoryPendingIndex()],
  ['DynamoDB', async () => new DynamoDbPendingIndex(await table(), dynamo.clientConfig, () => 1_000_000)],
] as Array<[string, () => Promise<PendingIndex>]>)('the pending index (%s)', (_, create) => {
  it('swaps only at the version read, and lists due items soonest first, within the limit', async () => {
    // Prepare
    const index = await create();
    expect(await index.swap('pending|test|a', undefined, item([entry(1, 300)]))).toBe(true);
    expect(await index.swap('pending|test|a', undefined, item([entry(1, 300)]))).toBe(false);
    await index.swap('pending|test|b', undefined, item([entry(2, 100), entry(3, 900)]));
    await index.swap('pending|test|c', undefined, item([entry(4)]));
    await index.swap('pending|test|d', undefined, item([entry(5, 5000)]));

    // Act
    const due = await index.due(1000, 10);
    const limited = await index.due(1000, 1);

    // Assess
    expect(due).toEqual(['pending|test|b', 'pending|test|a']);
    expect(limited).toEqual(['pending|test|b']);
    expect(await index.swap('pending|test|b', 2, item([], 3))).toBe(false);
    expect(await index.swap('pending|test|b', 1, item([], 2))).toBe(true);
    expect(await index.due(1000, 10)).toEqual(['pending|test|a']);
    expect(await index.read('pending|test|a')).toEqual(item([entry(1, 300)]));
  });

  it('keeps the marks of the success stream (firstSeenAt, lastSuccessAt) through a swap', async () => {
    const index = await create();
    const marked = { ...item([entry(1, 300)]), firstSeenAt: 1000, lastSuccessAt: 7_200_000 };

    await index.swap('pending|test|m', undefined, marked);

    expect(await index.read('pending|test|m')).toEqual(marked);
  });
});

describe('the marks of the success stream', () => {
  const change = (index: PendingIndex, receivedAt: number, success: boolean) =>
    changeEntries(index, 'pending|test|a', { routeId: 'test', object: OBJECT }, () => undefined, {
      receivedAt,
      success,
    });

  it('end the same whichever container writes first, and a success moves them once an hour at most', async () => {
    const events: Array<[number, boolean]> = [
      [5 * HOUR, false],
      [HOUR, true],
      [3 * HOUR, false],
      [HOUR + 60_000, true],
    ];
    const orders = [events, [...events].reverse(), [events[2], events[0], events[3], events[1]]] as Array<
      Array<[number, boolean]>
    >;
    const results = [];
    for (const order of orders) {
      const index = new MemoryPendingIndex();
      for (const [time, success] of order) await change(index, time, success);
      const { firstSeenAt, lastSuccessAt } = (await index.read('pending|test|a')) ?? {};
      results.push({ firstSeenAt, lastSuccessAt });
    }

    expect(results[0]).toEqual({ firstSeenAt: HOUR, lastSuccessAt: HOUR });
    // Within the hour's step the success kept is the first to arrive, never one outside [1 h, 1 h 1 min].
    for (const result of results) {
      expect(result.firstSeenAt).toBe(HOUR);
      expect(result.lastSuccessAt).toBeGreaterThanOrEqual(HOUR);
      expect(result.lastSuccessAt).toBeLessThanOrEqual(HOUR + 60_000);
    }
  });

  it('cost no write for a success within the hour of the last one kept', async () => {
    const index = new MemoryPendingIndex();
    await change(index, HOUR, true);
    const version = (await index.read('pending|test|a'))?.version;

    await change(index, HOUR + 30 * 60_000, true);
    await change(index, 2 * HOUR, false);

    expect((await index.read('pending|test|a'))?.version).toBe(version);
  });
});

let dynamo: Awaited<ReturnType<typeof startDynalite>>;
let tables: Promise<string> | undefined;
const table = () => {
  tables ??= dynamo.createTable();
  return tables;
};

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.stop();
});

describe('the pending index item in DynamoDB', () => {
  it('carries the sweep index keys only while something is due, and the ledger’s TTL', async () => {
    // Prepare
    const name = await dynamo.createTable();
    const index = new DynamoDbPendingIndex(name, dynamo.clientConfig, () => 1_000_000);
    await index.swap('pending|test|a', undefined, item([entry(1, 300), entry(2)]));
    const read = async () =>
      (
        await dynamo.client.send(
          new GetItemCommand({ TableName: name, Key: { id: { S: 'pending|test|a' } } }),
        )
      ).Item;
    const due = await read();

    // Act
    await index.swap('pending|test|a', 1, item([entry(2)], 2));

    // Assess
    const idle = await read();
    expect(due?.[PENDING_DUE_INDEX.sortKey]).toEqual({ N: '300' });
    expect(due?.expiresAt).toEqual({ N: String(1000 + LEDGER_TTL_SECONDS) });
    expect(idle?.[PENDING_DUE_INDEX.sortKey]).toBeUndefined();
    expect(idle?.[PENDING_DUE_INDEX.partitionKey]).toBeUndefined();
    const indexed = await dynamo.client.send(
      new ScanCommand({ TableName: name, IndexName: PENDING_DUE_INDEX.indexName }),
    );
    expect(indexed.Count).toBe(0);
  });
});

describe('the sweep and a route that left the config', () => {
  it('drops its entries, with no forge to write them to, and calls no delivery', async () => {
    // Prepare
    const index = new MemoryPendingIndex();
    await index.swap('pending|gone|Kustomization/flux-system/apps', undefined, {
      ...item([entry(1, 10), entry(2)]),
      routeId: 'gone',
    });
    const delivered: unknown[] = [];
    const sweep = createPendingSweep({
      index,
      routes: new Map(),
      deliverStatus: async (job) => {
        delivered.push(job);
        return 'written';
      },
      resolveRollup: async (key) => {
        delivered.push(key);
        return 'written';
      },
      secrets: new MemorySecrets({}),
      observe: () => undefined,
      now: () => 1000,
    });

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ resolved: 0, failed: 0, dropped: 2, silentRoutes: 0 });
    expect(delivered).toEqual([]);
    expect((await index.read('pending|gone|Kustomization/flux-system/apps'))?.entries).toEqual([]);
    expect(await index.due(1000, 10)).toEqual([]);
  });
});
