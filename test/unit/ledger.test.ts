import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryLedger } from '../../functions/ledger/delivery-ledger.js';
import { DynamoDbLedger, LEDGER_TTL_SECONDS } from '../../functions/ledger/dynamodb-ledger.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { startDynalite } from '../helpers/dynalite.js';
import { FakeGitHub } from '../helpers/fake-github.js';
import { apiEvent, eventOf, FIXTURES, fixture, testRelay, testRoute } from '../helpers/relay-harness.js';

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

  it('refuses a conditional write from an older event at the table itself', async () => {
    const ledger = new DynamoDbLedger(table, dynamo.clientConfig);
    const entry = { state: 'failure', description: 'x', targetUrl: '', eventTime: 2000 };

    expect(await ledger.record('k', entry)).toBe('recorded');
    expect(await ledger.record('k', { ...entry, state: 'success', eventTime: 1000 })).toBe('superseded');
    expect(await ledger.record('k', { ...entry, state: 'success', eventTime: 2000 })).toBe('recorded');
    expect((await ledger.read('k'))?.state).toBe('success');
  });

  it('sets a TTL of 30 days on every item', async () => {
    const now = Date.UTC(2026, 10, 25);
    const ledger = new DynamoDbLedger(table, dynamo.clientConfig, () => now);

    await ledger.record('k', { state: 'success', description: '', targetUrl: '', eventTime: 1 });

    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: 'k' } } }),
    );
    expect(Number(Item?.expiresAt?.N)).toBe(now / 1000 + LEDGER_TTL_SECONDS);
    expect(LEDGER_TTL_SECONDS).toBe(30 * 24 * 3600);
  });

  it('falls back to the forge read when the ledger is down, and says so in the record', async () => {
    // Prepare: a ledger on a port where nothing listens.
    const down = { ...dynamo.clientConfig, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 };
    await container().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    const { handler, records } = container(down);

    // Act
    const repeat = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    const change = await handler(apiEvent({ body: failureOf('2026-07-14T09:31:00Z') }));

    // Assess: the repeat is caught by GitHub's own list, the change is written; nothing is lost.
    expect(JSON.parse(repeat.body).outcome).toBe('duplicate');
    expect(JSON.parse(change.body).outcome).toBe('written');
    expect(records.map((record) => record.ledger)).toEqual(['unavailable', 'unavailable']);
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

  it('repairs the forge when an older event’s write lands after a newer one was recorded', async () => {
    // Prepare: B records a success at 09:31; A read the ledger before that and saw nothing.
    const sha = 'a549a44b3316991928c80b3bee0eb916d16c9dcc';
    await container().handler(
      apiEvent({ body: eventAt(FIXTURES.healthCheckFailed, '2026-07-14T09:20:00Z') }),
    );
    const shared = new DynamoDbLedger(table, dynamo.clientConfig);
    let reads = 0;
    const lateReader: DeliveryLedger = {
      read: async (key) => (reads++ === 0 ? undefined : shared.read(key)),
      record: (key, entry) => shared.record(key, entry),
    };
    const success = eventAt(FIXTURES.reconciled, '2026-07-14T09:31:00Z').replace(SHA, sha);
    await container().handler(apiEvent({ body: success }));
    const { relay } = testRelay([testRoute(github.url)], { ledger: lateReader });

    // Act: A writes its older Progressing, finds the newer success recorded, and writes that again.
    const response = await apiGatewayHandler(relay)(
      apiEvent({ body: eventAt(FIXTURES.progressing, '2026-07-14T09:26:01Z') }),
    );

    // Assess
    expect(JSON.parse(response.body).outcome).toBe('superseded');
    expect(
      github
        .statusesOf('acme/fleet-infra', sha)
        .map((status) => status.state)
        .slice(0, 3),
    ).toEqual(['success', 'pending', 'success']);
  });
});
