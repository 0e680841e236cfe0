import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../functions/delivery/delivery-record.js';
import { deadLetterRecord } from '../../functions/delivery/redelivery.js';
import type { QueuedDelivery } from '../../functions/queue/delivery-queue.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import {
  FAILED_DELIVERIES_FIELDS,
  FAILED_DELIVERIES_QUERY,
} from '../../infra/constructs/delivery-insights.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { eventOf, FIXTURES, fixture, sign, testRoute } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

/**
 * The log line is the interface of the person on call: every outcome the saved query lists carries
 * the fields it shows, as far as they can be known when the delivery ends.
 */
const QUERY_FIELDS: readonly string[] = FAILED_DELIVERIES_FIELDS;

describe('log lines against the saved "failed deliveries" query', () => {
  let github: FakeGitHub;

  beforeAll(async () => {
    github = await new FakeGitHub().start();
  });

  afterAll(async () => {
    await github.stop();
  });

  async function recordOf(body: Buffer | string, options: { route?: string; signature?: string } = {}) {
    const { relay, records } = testRelay([testRoute(github.url)]);
    const headers = { 'content-type': 'application/json', 'x-signature': options.signature ?? sign(body) };
    await createApiGatewayHandler(relay)(
      apiEvent({ body, headers, ...(options.route ? { route: options.route } : {}) }),
    );
    return records[0] as DeliveryRecord;
  }

  const always = ['route', 'outcome', 'statusCode', 'error', 'reason'];
  const routed = [...always, 'cluster'];
  const parsed = [...routed, 'object'];
  const decided = [...parsed, 'sha', 'context'];

  it('reads the fields the saved query shows', () => {
    expect(FAILED_DELIVERIES_QUERY.toString()).toContain(`fields @timestamp, ${QUERY_FIELDS.join(', ')}`);
    expect(QUERY_FIELDS).toEqual(expect.arrayContaining([...decided, 'forgeStatus']));
  });

  it.each([
    ['an unknown route', () => recordOf(fixture(FIXTURES.reconciled), { route: 'nope' }), always],
    ['a wrong signature', () => recordOf(fixture(FIXTURES.reconciled), { signature: 'sha256=00' }), routed],
    ['a body that is not a Flux event', () => recordOf('{"kind":"x"}'), routed],
    [
      'a final forge refusal',
      async () => {
        github.script.push({ status: 403, body: { message: 'Resource not accessible by integration' } });
        return recordOf(fixture(FIXTURES.reconciled));
      },
      [...decided, 'forgeStatus'],
    ],
    [
      'a future event',
      () => {
        const event = eventOf(FIXTURES.reconciled);
        event.timestamp = new Date(Date.now() + 3600_000).toISOString();
        return recordOf(JSON.stringify(event));
      },
      parsed,
    ],
  ])('%s logs %s', async (_, produce, fields) => {
    // Act
    const record = await produce();

    // Assess
    for (const field of fields) expect(record, field).toHaveProperty(field);
    expect(QUERY_FIELDS).toEqual(expect.arrayContaining(fields));
    expect(['failed', 'rejected']).toContain(record.outcome);
  });

  it('gives a dead-lettered delivery the same fields as the webhook’s failures', () => {
    // Prepare
    const route = testRoute(github.url);
    const delivery: QueuedDelivery = {
      routeId: 'test',
      eventTime: 0,
      object: 'Kustomization/flux-system/apps',
      status: { sha: 'a'.repeat(40), state: 'failure', context: 'c', description: 'd' },
    };

    // Act
    const record = deadLetterRecord('GitHub answered 403', delivery, 8, new Map([['test', route]]));

    // Assess
    for (const field of [...decided, 'forge']) expect(record, field).toHaveProperty(field);
    expect(record).toMatchObject({ outcome: 'dead-lettered', cluster: 'prod-eu-1', attempt: 8 });
  });
});
