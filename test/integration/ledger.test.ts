import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { LEDGER_TTL_SECONDS } from '../../functions/ledger/dynamodb-store.js';
import { eventOrder } from '../../functions/ledger/status-ledger.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { startDynalite } from '../fakes/dynalite.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { eventOf, FIXTURES, fixture, testRoute } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const SHA = 'df277975d2783b0e7fd4d0487d990bd60442923c';

/** The delivery ledger on dynalite, through the real DynamoDB client, shared by two "containers". */
describe('delivery ledger (DynamoDB)', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let github: FakeGitHub;
  let table: string;

  beforeAll(async () => {
    dynamo = await startDynalite();
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  beforeEach(async () => {
    github = await new FakeGitHub().start();
    table = await dynamo.createTable();
  });

  afterEach(async () => {
    await github.stop();
  });

  /** A new container: its own memory, the shared table. */
  function container(ledgerConfig = dynamo.clientConfig) {
    const { relay, records } = testRelay([testRoute(github.url)], {
      ledger: new DynamoDbLedger(table, ledgerConfig),
    });
    return { handler: apiGatewayHandler(relay), records };
  }

  function failureOf(timestamp: string) {
    const event = eventOf(FIXTURES.reconciled);
    event.severity = 'error';
    event.reason = 'HealthCheckFailed';
    event.message = 'timeout';
    event.timestamp = timestamp;
    return JSON.stringify(event);
  }

  it('makes a repeat in another container cost one ledger read and no forge call', async () => {
    // Prepare
    await container().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    const forgeCalls = github.requests.length;

    // Act
    const other = container();
    const response = await other.handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(JSON.parse(response.body).outcome).toBe('duplicate');
    expect(github.requests.length).toBe(forgeCalls);
    expect(github.writes).toHaveLength(1);
  });

  it('lets a newer event win when an older one arrives later, in another container', async () => {
    // Prepare: the failure at 09:31 is delivered first; the success from 09:21 arrives late.
    await container().handler(apiEvent({ body: failureOf('2026-07-14T09:31:00Z') }));

    // Act
    const late = await container().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(JSON.parse(late.body).outcome).toBe('superseded');
    expect(github.writes).toHaveLength(1);
    expect(github.statusesOf('acme/fleet-infra', SHA)[0]?.state).toBe('failure');
  });

  it('writes both when they arrive in order', async () => {
    await container().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    const newer = await container().handler(apiEvent({ body: failureOf('2026-07-14T09:31:00Z') }));

    expect(JSON.parse(newer.body).outcome).toBe('written');
    expect(github.statusesOf('acme/fleet-infra', SHA).map((status) => status.state)).toEqual([
      'failure',
      'success',
    ]);
  });

  const item = (version: number, state: 'success' | 'failure' = 'failure') => ({
    claim: {
      order: eventOrder(2000, { state, description: 'x', targetUrl: '' }),
      eventTime: 2000,
      status: { state, description: 'x', targetUrl: '' },
    },
    confirmed: false,
    writers: { a: 123 },
    version,
  });

  it('swaps only from the version that was read, at the table itself', async () => {
    // Prepare
    const ledger = new DynamoDbLedger(table, dynamo.clientConfig);

    // Act
    const created = await ledger.swap('k', undefined, item(1));
    const createdTwice = await ledger.swap('k', undefined, item(1, 'success'));
    const stale = await ledger.swap('k', 0, item(2, 'success'));
    const current = await ledger.swap('k', 1, item(2, 'success'));

    // Assess
    expect([created, createdTwice, stale, current]).toEqual([true, false, false, true]);
    expect(await ledger.read('k')).toEqual(item(2, 'success'));
  });

  it("keeps a resolution's mark on its claim, and no mark on any other", async () => {
    // Prepare
    const ledger = new DynamoDbLedger(table, dynamo.clientConfig);
    const plain = item(1, 'success');
    const resolved = { ...plain, claim: { ...plain.claim, resolved: true as const } };

    // Act
    await ledger.swap('resolved', undefined, resolved);
    await ledger.swap('plain', undefined, item(1, 'success'));

    // Assess
    expect((await ledger.read('resolved'))?.claim.resolved).toBe(true);
    expect(await ledger.read('resolved')).toEqual(resolved);
    expect((await ledger.read('plain'))?.claim).not.toHaveProperty('resolved');
  });

  it('sets a TTL of 30 days on every item', async () => {
    const now = Date.UTC(2026, 10, 25);
    const ledger = new DynamoDbLedger(table, dynamo.clientConfig, () => now);

    await ledger.swap('k', undefined, item(1));

    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: 'k' } } }),
    );
    expect(Number(Item?.expiresAt?.N)).toBe(now / 1000 + LEDGER_TTL_SECONDS);
    expect(LEDGER_TTL_SECONDS).toBe(30 * 24 * 3600);
  });

  it('takes an item of the earlier unversioned layout as absent, and claims it anew', async () => {
    // Prepare: what the ledger wrote before it had versions.
    await dynamo.client.send(
      new PutItemCommand({
        TableName: table,
        Item: { id: { S: 'k' }, state: { S: 'success' }, eventTime: { N: '1' }, eventOrder: { N: '3' } },
      }),
    );
    const ledger = new DynamoDbLedger(table, dynamo.clientConfig);

    // Act
    const before = await ledger.read('k');
    const swapped = await ledger.swap('k', undefined, item(1));

    // Assess
    expect(before).toBeUndefined();
    expect(swapped).toBe(true);
  });

  it('writes nothing blind while the ledger is down: 503 with Retry-After, and the forge untouched', async () => {
    // Prepare: a ledger on a port where nothing listens.
    const down = { ...dynamo.clientConfig, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 };
    const { handler, records } = container(down);

    // Act
    const response = await handler(apiEvent({ body: failureOf('2026-07-14T09:31:00Z') }));

    // Assess: a late status is better than a wrong one; Flux retries the 503.
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body).error).toBe('ledger-unavailable');
    expect(response.headers?.['retry-after']).toBe('2');
    expect(github.writes).toHaveLength(0);
    expect(records[0]?.outcome).toBe('failed');
  });

  function eventAt(name: string, timestamp: string) {
    const event = eventOf(name);
    event.timestamp = timestamp;
    return JSON.stringify(event);
  }

  it('asks the ledger, not its own memory, when another container wrote since', async () => {
    // Prepare: A writes success, B a later failure, then A hears of an even later success.
    const a = container();
    await a.handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    await container().handler(apiEvent({ body: failureOf('2026-07-14T09:31:00Z') }));

    // Act
    const response = await a.handler(
      apiEvent({ body: eventAt(FIXTURES.reconciled, '2026-07-14T09:41:00Z') }),
    );

    // Assess
    expect(JSON.parse(response.body).outcome).toBe('written');
    expect(github.statusesOf('acme/fleet-infra', SHA)[0]?.state).toBe('success');
  });

  it('lets a final state win over a pending one from the same second', async () => {
    const sha = 'a549a44b3316991928c80b3bee0eb916d16c9dcc';
    await container().handler(
      apiEvent({ body: eventAt(FIXTURES.healthCheckFailed, '2026-07-14T09:31:02Z') }),
    );

    const late = await container().handler(
      apiEvent({ body: eventAt(FIXTURES.progressing, '2026-07-14T09:31:02Z') }),
    );

    expect(JSON.parse(late.body).outcome).toBe('superseded');
    expect(github.statusesOf('acme/fleet-infra', sha)[0]?.state).toBe('failure');
  });
});
