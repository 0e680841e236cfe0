import type { Context, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deadLetterRecord } from '../../functions/delivery/redelivery.js';
import { maxAttemptsFrom } from '../../functions/queue/delivery-queue.js';
import { InProcessQueue } from '../../functions/queue/in-process-queue.js';
import { createSqsConsumer } from '../../functions/queue/sqs-consumer.js';
import { SqsQueue } from '../../functions/queue/sqs-queue.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FakeSqs } from '../fakes/fake-sqs.js';
import { eventOf, FIXTURES, fixture, testRoute } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const SHA = 'df277975d2783b0e7fd4d0487d990bd60442923c';
const unavailable = { status: 503, body: { message: 'unavailable' } };

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await new Promise((done) => setTimeout(done, 20));
}

describe('durable retry through the in-process queue (the local server’s)', () => {
  let github: FakeGitHub;

  beforeEach(async () => {
    github = await new FakeGitHub().start();
  });

  afterEach(async () => {
    await github.stop();
  });

  function setup(maxAttempts = 4) {
    const harness = testRelay([testRoute(github.url)], {
      queue: (redeliver) => new InProcessQueue(redeliver, { backoffScale: 0.002, maxAttempts }),
      budgetMs: 2000,
    });
    const queue = harness.queue as InProcessQueue;
    return { handler: createApiGatewayHandler(harness.relay), records: harness.records, queue };
  }

  it('answers 202 queued when GitHub is still failing, then writes the status once it recovers', async () => {
    // Prepare: the webhook's three attempts fail; the queue's first redelivery succeeds.
    github.script.push(unavailable, unavailable, unavailable);
    const { handler, records, queue } = setup();

    // Act
    const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    await until(() => records.length === 2);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toMatchObject({
      outcome: 'queued',
      queued: true,
      reason: expect.stringMatching(/503/),
    });
    expect(github.statusesOf('acme/fleet-infra', SHA)).toMatchObject([{ state: 'success' }]);
    expect(records.map((record) => [record.outcome, record.attempt])).toEqual([
      ['queued', undefined],
      ['written', 2],
    ]);
    expect(queue.pending).toBe(0);
  });

  it('dead-letters a delivery with its reason after the last attempt, never dropping it silently', async () => {
    for (let i = 0; i < 30; i++) github.script.push(unavailable);
    const { handler, records, queue } = setup(3);
    const started = Date.now();

    await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    await until(() => queue.deadLetters.length > 0);

    expect(queue.deadLetters).toMatchObject([
      { delivery: { routeId: 'test', status: { sha: SHA } }, reason: expect.stringMatching(/503/) },
    ]);
    // Only the last attempt is a failure: the one before it is a retry, with when the next comes.
    expect(records.map((record) => [record.outcome, record.attempt, record.maxAttempts])).toEqual([
      ['queued', undefined, undefined],
      ['retrying', 2, 3],
      ['failed', 3, 3],
    ]);
    // The in-process queue waits 60 s × 0.002 after the second attempt, before the third.
    const next = Date.parse(records[1]?.nextAttemptAt ?? '');
    expect(next).toBeGreaterThanOrEqual(started + 120);
    expect(next).toBeLessThanOrEqual(Date.now() + 120);
  });

  it('dead-letters a final refusal from the forge at once, with the forge’s message', async () => {
    github.script.push(unavailable, unavailable, unavailable, {
      status: 404,
      body: { message: 'Not Found' },
    });
    const { handler, records, queue } = setup();

    await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    await until(() => records.length === 2);
    await new Promise((done) => setTimeout(done, 200));

    expect(records[1]).toMatchObject({
      outcome: 'failed',
      forgeStatus: 404,
      reason: expect.stringMatching(/Not Found/),
    });
    expect(queue.pending).toBe(0);
    expect(queue.deadLetters).toMatchObject([{ reason: expect.stringMatching(/404.*Not Found/) }]);
    expect(github.requests).toHaveLength(4);
  });
});

describe('durable retry through SQS (the real SDK client on a loopback SQS)', () => {
  let github: FakeGitHub;
  let sqs: FakeSqs;
  const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/retry';
  const deadLetterUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/retry-dlq';

  beforeEach(async () => {
    github = await new FakeGitHub().start();
    sqs = await new FakeSqs().start();
  });

  afterEach(async () => {
    await github.stop();
    await sqs.stop();
  });

  function setup(maxAttempts = 4, routeList = [testRoute(github.url)]) {
    const queue = new SqsQueue(queueUrl, deadLetterUrl, sqs.clientConfig());
    const harness = testRelay(routeList, { queue, budgetMs: 2000 });
    const deadLettered: Array<ReturnType<typeof deadLetterRecord>> = [];
    const routes = new Map(routeList.map((route) => [route.id, route]));
    const consume = createSqsConsumer(harness.redeliver, {
      queue,
      maxAttempts,
      onDeadLetter: (reason, delivery, attempt) =>
        deadLettered.push(deadLetterRecord(reason, delivery, attempt, routes)),
    });
    return {
      handler: createApiGatewayHandler(harness.relay),
      consume,
      deadLettered,
      records: harness.records,
    };
  }

  function sqsEvent(body: string, receiveCount: number): SQSEvent {
    return {
      Records: [
        {
          messageId: 'message-1',
          receiptHandle: 'receipt-1',
          body,
          attributes: {
            ApproximateReceiveCount: String(receiveCount),
            SentTimestamp: '0',
            SenderId: 'sender',
            ApproximateFirstReceiveTimestamp: '0',
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:retry',
          awsRegion: 'eu-west-1',
        },
      ],
    };
  }

  const context = { functionName: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

  it('hands a failing delivery to SQS with a delay and the reason, and answers 202', async () => {
    github.script.push(unavailable, unavailable, unavailable);

    const response = await setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(202);
    expect(sqs.sent).toMatchObject([
      { queueUrl, delaySeconds: 30, attributes: { reason: expect.stringMatching(/503/) } },
    ]);
    expect(JSON.parse(sqs.sent[0]?.body ?? '{}')).toMatchObject({
      routeId: 'test',
      status: { sha: SHA, state: 'success' },
    });
  });

  it('answers 502 when SQS cannot take the delivery either, so that Flux retries', async () => {
    github.script.push(unavailable, unavailable, unavailable);
    await sqs.stop();

    const response = await setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body)).toMatchObject({
      error: 'forge-unavailable',
      reason: expect.stringMatching(/503.*the retry queue could not take it either/),
    });
  });

  it('writes a queued delivery and reports no batch failure', async () => {
    github.script.push(unavailable, unavailable, unavailable);
    const { handler, consume } = setup();
    await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    const result = await consume(sqsEvent(sqs.sent[0]?.body ?? '', 1), context);

    expect(result.batchItemFailures).toEqual([]);
    expect(github.statusesOf('acme/fleet-infra', SHA)).toHaveLength(1);
  });

  it('postpones a failing record with a longer visibility timeout and reports it as a batch failure', async () => {
    for (let i = 0; i < 6; i++) github.script.push(unavailable);
    const { handler, consume, records } = setup();
    await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    const started = Date.now();
    const result = await consume(sqsEvent(sqs.sent[0]?.body ?? '', 1), context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'message-1' }]);
    expect(sqs.visibilityChanges).toEqual([{ receiptHandle: 'receipt-1', visibilityTimeout: 60 }]);
    // A retry, not a failure: the log line says which attempt, of how many, and when the next is due.
    expect(records.at(-1)).toMatchObject({
      outcome: 'retrying',
      attempt: 2,
      maxAttempts: 4,
      statusCode: 502,
    });
    const next = Date.parse(records.at(-1)?.nextAttemptAt ?? '') - started;
    expect(next).toBeGreaterThanOrEqual(60_000);
    expect(next).toBeLessThan(70_000);
  });

  it('moves a delivery that used up its attempts to the dead-letter queue with its reason', async () => {
    for (let i = 0; i < 6; i++) github.script.push(unavailable);
    const { handler, consume, deadLettered } = setup(2);
    await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    const result = await consume(sqsEvent(sqs.sent[0]?.body ?? '', 1), context);

    expect(result.batchItemFailures).toEqual([]);
    expect(sqs.sent[1]).toMatchObject({
      queueUrl: deadLetterUrl,
      attributes: { reason: expect.stringMatching(/503/), attempts: '2' },
    });
    expect(deadLettered).toEqual([
      expect.objectContaining({
        outcome: 'dead-lettered',
        error: 'dead-lettered',
        reason: expect.stringMatching(/503/),
        route: 'test',
        cluster: 'prod-eu-1',
        forge: 'github',
        object: 'Kustomization/flux-system/apps',
        attempt: 2,
        sha: SHA,
        context: 'kustomization/apps/prod-eu-1',
        state: 'success',
      }),
    ]);
  });

  it('dead-letters a message that is not a delivery instead of retrying it forever', async () => {
    const { consume } = setup();

    const result = await consume(sqsEvent('{"not":"a delivery"}', 1), context);

    expect(result.batchItemFailures).toEqual([]);
    expect(sqs.sent).toMatchObject([
      {
        queueUrl: deadLetterUrl,
        attributes: { reason: expect.stringMatching(/^the queued message is not a delivery/) },
      },
    ]);
  });

  /** A message as the webhook queues it, with one part changed. */
  async function queuedMessage(): Promise<Record<string, any>> {
    github.script.push(unavailable, unavailable, unavailable);
    await setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    const message = JSON.parse(sqs.sent[0]?.body ?? '{}');
    sqs.sent.length = 0;
    return message;
  }

  it.each([
    [
      'a SHA that is not 40 hex characters',
      (m: Record<string, any>) => (m.status.sha = '../../admin'),
      /status\.sha/,
    ],
    ['an unknown state', (m: Record<string, any>) => (m.status.state = 'warning'), /status\.state/],
    ['no event time', (m: Record<string, any>) => delete m.eventTime, /eventTime/],
  ])('dead-letters a forged or malformed message (%s) without a forge call', async (_, change, reason) => {
    // Prepare
    const message = await queuedMessage();
    change(message);
    const calls = github.requests.length;

    // Act
    const result = await setup().consume(sqsEvent(JSON.stringify(message), 1), context);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(sqs.sent).toMatchObject([
      { queueUrl: deadLetterUrl, attributes: { reason: expect.stringMatching(reason) } },
    ]);
    expect(github.requests.length).toBe(calls);
  });

  it('dead-letters a final refusal on redelivery at its first attempt, with the reason', async () => {
    // Prepare: the token lost its permission during the outage.
    const message = await queuedMessage();
    github.script.push({ status: 403, body: { message: 'Resource not accessible by integration' } });
    const { consume, deadLettered } = setup(8);

    // Act
    const result = await consume(sqsEvent(JSON.stringify(message), 1), context);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(sqs.sent).toMatchObject([
      { queueUrl: deadLetterUrl, attributes: { reason: expect.stringMatching(/403/), attempts: '2' } },
    ]);
    expect(deadLettered).toMatchObject([
      { outcome: 'dead-lettered', forge: 'github', reason: expect.stringMatching(/403/) },
    ]);
  });

  it('dead-letters a delivery whose route was removed from the config', async () => {
    // Prepare
    const message = await queuedMessage();
    const { consume, deadLettered } = setup(8, [testRoute(github.url, { id: 'other' })]);

    // Act
    const result = await consume(sqsEvent(JSON.stringify(message), 1), context);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(sqs.sent).toMatchObject([
      { queueUrl: deadLetterUrl, attributes: { reason: expect.stringMatching(/route test, which is gone/) } },
    ]);
    expect(deadLettered).toMatchObject([{ route: 'test', object: 'Kustomization/flux-system/apps' }]);
  });

  it('writes nothing when a redelivered event is older than the one the forge shows', async () => {
    // Prepare: the success is queued; a newer failure is then written directly.
    const message = await queuedMessage();
    const { handler, consume } = setup();
    const newer = eventOf(FIXTURES.reconciled);
    Object.assign(newer, {
      severity: 'error',
      reason: 'HealthCheckFailed',
      timestamp: '2026-07-14T09:59:00Z',
    });
    await handler(apiEvent({ body: JSON.stringify(newer) }));
    const writes = github.writes.length;

    // Act
    const result = await consume(sqsEvent(JSON.stringify(message), 1), context);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(github.writes.length).toBe(writes);
    expect(github.statusesOf('acme/fleet-infra', SHA)[0]?.state).toBe('failure');
  });
});

describe('queue settings and leftovers', () => {
  it.each([
    [undefined, 8],
    ['5', 5],
    ['five', 8],
    ['1', 8],
    ['2.5', 8],
  ])('reads RETRY_MAX_ATTEMPTS=%s as %i', (value, attempts) => {
    expect(maxAttemptsFrom(value)).toBe(attempts);
  });

  it('reports a queued delivery whose route is gone as failed, so that the alarm sees it', async () => {
    const { redeliver, records } = testRelay([testRoute('http://127.0.0.1:9')]);

    const result = await redeliver(
      {
        routeId: 'gone',
        eventTime: 0,
        status: { sha: SHA, state: 'success', context: 'c', description: 'd' },
      },
      2,
      { maxAttempts: 8, delayMs: 30_000 },
    );

    expect(result).toEqual({ kind: 'final', reason: expect.stringMatching(/gone/) });
    expect(records[0]).toMatchObject({ outcome: 'failed', error: 'route-not-found', attempt: 2 });
  });
});

describe("the SQS hand-off's delay", () => {
  it('delays a deferred write by its wait, any other fault by the first backoff, never past 15 minutes', async () => {
    const sqs = await new FakeSqs().start();
    try {
      const queue = new SqsQueue(`${sqs.server.url}/123456789012/retry`, undefined, sqs.clientConfig());
      const delivery = {
        routeId: 'test',
        eventTime: 1,
        status: { sha: SHA, state: 'success' as const, context: 'kustomization/apps', description: 'ok' },
      };

      await queue.enqueue(delivery, 'spacing', 2);
      await queue.enqueue(delivery, 'a 503');
      await queue.enqueue(delivery, 'spacing', 4000);

      expect(sqs.sent.map((message) => message.delaySeconds)).toEqual([2, 30, 900]);
    } finally {
      await sqs.stop();
    }
  });
});
