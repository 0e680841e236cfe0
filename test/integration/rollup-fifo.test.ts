import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FifoRecomputes } from '../../functions/fleet/fifo-recomputes.js';
import { createRecomputeConsumer } from '../../functions/fleet/recompute-consumer.js';
import { messageGroupOf } from '../../functions/fleet/recompute-request.js';
import { rollupKeyOf } from '../../functions/fleet/rollup-place.js';
import { FifoQueue } from '../../functions/queue/fifo-queue.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FakeSqs } from '../fakes/fake-sqs.js';
import { fleetRoutes, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

/**
 * The hand-off to the roll-up's consumer as it runs on AWS: the real SQS client sends to a FIFO
 * queue speaking SQS's protocol (message groups, deduplication ids, one batch in flight per group),
 * and the consumer takes the batches an event source mapping would hand it.
 */

const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'prod-us-2'];
const CONTEXT = 'flux/production/kustomization/apps';
const ARN = 'arn:aws:sqs:eu-west-1:123456789012:recomputes.fifo';

/** The batch a Lambda event source mapping would hand the function, from a ReceiveMessage answer. */
function batchOf(messages: Message[]): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: '0',
        SenderId: 'function',
        ApproximateFirstReceiveTimestamp: '0',
        MessageGroupId: message.Attributes?.MessageGroupId ?? '',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: ARN,
      awsRegion: 'eu-west-1',
    })),
  };
}

const CONTEXT_30S = { getRemainingTimeInMillis: () => 30_000 } as Context;

describe('the roll-up recompute queue (SQS FIFO)', () => {
  let sqs: FakeSqs;
  let github: FakeGitHub;
  beforeAll(async () => {
    sqs = await new FakeSqs().start();
    github = await new FakeGitHub().start();
  });
  afterAll(async () => {
    await sqs.stop();
    await github.stop();
  });

  it('asks once per changed verdict in the roll-up’s group, and one batch of the group is one recompute', async () => {
    // Prepare
    const queueUrl = `${sqs.server.url}/123456789012/recomputes.fifo`;
    const routes = fleetRoutes(github.url, CLUSTERS);
    const { relay, recompute, records } = testRelay(routes, {
      environments: { production: { context: 'flux/{{environment}}/{{kind}}/{{name}}', counts: true } },
      recomputes: new FifoRecomputes(new FifoQueue(queueUrl, sqs.clientConfig())),
    });
    const client = new SQSClient(sqs.clientConfig());
    const sha = 'a'.repeat(40);
    const send = (cluster: string, second: number) =>
      createApiGatewayHandler(relay)(
        apiEvent({ route: cluster, body: verdictEvent(sha, 'success', second * 1000) }),
      );
    const base = Math.floor(Date.now() / 1000) - 60;

    // Act: every cluster succeeds; Flux sends one event twice and one again a second later.
    for (const cluster of CLUSTERS) await send(cluster, base);
    await send('prod-eu-1', base);
    await send('prod-us-1', base + 1);
    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    const whileInFlight = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    const event = batchOf(received.Messages ?? []);
    const consume = createRecomputeConsumer(recompute, { maxReceiveCount: 3, onDeadLetter: () => undefined });
    const answer = await consume(event, CONTEXT_30S);
    for (const message of received.Messages ?? []) {
      await client.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }

    // Assess: three requests (the repeat dropped by its deduplication id, the newer same verdict not
    // sent at all), in the roll-up's group, handed out together and not again while in flight.
    const rollup = rollupKeyOf(routes[0] as (typeof routes)[number], sha, 'production', CONTEXT);
    expect(sqs.sent.filter((message) => message.queueUrl === queueUrl)).toHaveLength(4);
    expect(new Set(sqs.sent.map((message) => message.groupId))).toEqual(new Set([messageGroupOf(rollup)]));
    expect(received.Messages).toHaveLength(3);
    expect(whileInFlight.Messages ?? []).toEqual([]);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(sqs.waiting(queueUrl)).toBe(0);
    const writes = github.statusesOf('acme/fleet-infra', sha).filter((status) => status.context === CONTEXT);
    expect(writes).toMatchObject([{ state: 'success', description: '3/3 clusters reconciled' }]);
    expect(records.filter((record) => record.rollup?.outcome === 'written')).toHaveLength(1);
  });

  it('brings every message of a failed recompute back, in order, and logs its reason at the last receive', async () => {
    // Prepare
    const queueUrl = `${sqs.server.url}/123456789012/failing.fifo`;
    const routes = fleetRoutes(github.url, CLUSTERS);
    const { relay, recompute } = testRelay(routes, {
      environments: { production: { context: 'flux/{{environment}}/{{kind}}/{{name}}', counts: true } },
      recomputes: new FifoRecomputes(new FifoQueue(queueUrl, sqs.clientConfig())),
    });
    const client = new SQSClient(sqs.clientConfig());
    const sha = 'b'.repeat(40);
    const base = Math.floor(Date.now() / 1000) - 60;
    for (const cluster of CLUSTERS) {
      await createApiGatewayHandler(relay)(
        apiEvent({ route: cluster, body: verdictEvent(sha, 'success', base * 1000) }),
      );
    }
    const deadLettered: string[] = [];
    const consume = createRecomputeConsumer(recompute, {
      maxReceiveCount: 2,
      onDeadLetter: (reason) => void deadLettered.push(reason),
    });
    // A visibility timeout of 0: what fails is visible again at once, as after its timeout.
    const receive = () =>
      client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );

    // Act: GitHub refuses every write during two receives.
    github.script.push(...Array.from({ length: 20 }, () => ({ status: 422, body: { message: 'refused' } })));
    const first = await receive();
    const firstAnswer = await consume(batchOf(first.Messages ?? []), CONTEXT_30S);
    const second = await receive();
    const secondAnswer = await consume(batchOf(second.Messages ?? []), CONTEXT_30S);
    github.script.length = 0;

    // Assess: the whole group failed each time, in its order, and its reason was told at the last.
    const ids = (first.Messages ?? []).map((message) => message.MessageId);
    expect(ids).toHaveLength(3);
    expect(firstAnswer.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      [...ids].sort(),
    );
    expect((second.Messages ?? []).map((message) => message.MessageId)).toEqual(ids);
    expect(secondAnswer.batchItemFailures).toHaveLength(3);
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]).toMatch(/422|refused/);
  });
});
