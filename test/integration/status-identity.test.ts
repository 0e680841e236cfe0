import { describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { eventOrder, ledgerKey } from '../../functions/ledger/status-ledger.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { testRoute, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';
import { useSharedTable } from '../harness/shared-table.js';

const SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';

/** A Flux event with `summary` metadata, as an Alert's `eventMetadata` adds it. */
function withSummary(body: string, summary: string): string {
  const event = JSON.parse(body);
  event.metadata.summary = summary;
  return JSON.stringify(event);
}

/**
 * A status is what the forge names: its context (and, on Azure DevOps alone, Flux's `summary` as the
 * genre). Every part of its ledger key is bounded, so no event can make a key DynamoDB refuses.
 */
describe('the status identity', () => {
  const shared = useSharedTable();

  function relay() {
    const harness = testRelay([testRoute(shared.github.url)], {
      ledger: new DynamoDbLedger(shared.table, shared.dynamo.clientConfig),
    });
    const handler = createApiGatewayHandler(harness.relay);
    return async (body: string) => JSON.parse((await handler(apiEvent({ body }))).body);
  }

  it('on GitHub, ignores summary: an older success with another summary does not cover a newer failure', async () => {
    const send = relay();
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const sha = SHA.replace('c0', 'c1');

    const newer = await send(withSummary(verdictEvent(sha, 'failure', t0), 'canary'));
    const older = await send(withSummary(verdictEvent(sha, 'success', t0 - 10_000), 'stable'));

    expect([newer.outcome, older.outcome]).toEqual(['written', 'superseded']);
    expect(shared.github.statusesOf('acme/fleet-infra', sha).map((status) => status.state)).toEqual([
      'failure',
    ]);
  });

  it('writes a status whose summary is 3 KB, and its next event too', async () => {
    const send = relay();
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const sha = SHA.replace('c0', 'c2');
    const summary = 'x'.repeat(3072);

    const first = await send(withSummary(verdictEvent(sha, 'failure', t0 - 1000), summary));
    const second = await send(withSummary(verdictEvent(sha, 'success', t0), summary));

    expect([first.outcome, second.outcome]).toEqual(['written', 'written']);
    expect(shared.github.statusesOf('acme/fleet-infra', sha)[0]?.state).toBe('success');
  });

  it('bounds each part of a key: DynamoDB takes a key of six 3 KB parts, and keeps distinct parts apart', async () => {
    const part = (c: string) => c.repeat(3000);
    const key = ledgerKey(['github', part('a'), part('b'), part('c'), part('d'), part('e')]);
    const other = ledgerKey(['github', part('a'), part('b'), part('c'), part('d'), `${part('e')}f`]);
    const ledger = new DynamoDbLedger(shared.table, shared.dynamo.clientConfig);
    const claim = {
      order: eventOrder(Date.now(), { state: 'success', description: 'ok', targetUrl: '' }),
      eventTime: Date.now(),
      status: { state: 'success' as const, description: 'ok', targetUrl: '' },
    };

    const swapped = await ledger.swap(key, undefined, { claim, confirmed: true, writers: {}, version: 1 });

    expect(swapped).toBe(true);
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1024);
    expect(key).not.toBe(other);
    expect(ledgerKey(['github', 'short', 'parts'])).toBe('github|short|parts');
    expect((await ledger.read(key))?.claim.order).toBe(claim.order);
  });
});
