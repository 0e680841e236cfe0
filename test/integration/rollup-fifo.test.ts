import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WriteDeferredError } from '../../functions/core/errors.js';
import type { CreateForgeClient } from '../../functions/delivery/forge-clients.js';
import { FifoRecomputes } from '../../functions/fleet/fifo-recomputes.js';
import { createRecomputeConsumer } from '../../functions/fleet/recompute-consumer.js';
import { messageGroupOf } from '../../functions/fleet/recompute-request.js';
import type { RunRecompute } from '../../functions/fleet/recompute-runner.js';
import { rollupKeyOf } from '../../functions/fleet/rollup-place.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import { FifoQueue } from '../../functions/queue/fifo-queue.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FakeSqs } from '../fakes/fake-sqs.js';
import { fleetRoutes, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
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

  describe("GitHub's write spacing", () => {
    const SPACING_MS = 2000;
    const DEFER_AFTER_MS = 200;
    afterEach(() => vi.unstubAllEnvs());

    /** Two roll-ups (two message groups), every cluster reported, their requests received in one batch. */
    async function twoRollups(queueName: string, deployments = false) {
      vi.stubEnv('GITHUB_WRITE_SPACING_MS', String(SPACING_MS));
      const queueUrl = `${sqs.server.url}/123456789012/${queueName}.fifo`;
      const fifo = new FifoQueue(queueUrl, sqs.clientConfig());
      const routes = fleetRoutes(github.url, CLUSTERS);
      const production = { context: 'flux/{{environment}}/{{kind}}/{{name}}', counts: true };
      const { relay, recompute, records } = testRelay(routes, {
        environments: {
          production: deployments ? { ...production, deployments: { autoInactive: false } } : production,
        },
        recomputes: new FifoRecomputes(fifo),
      });
      const base = Math.floor(Date.now() / 1000) - 60;
      const shas = [queueName.slice(0, 1).repeat(40), queueName.slice(1, 2).repeat(40)];
      for (const sha of shas) {
        for (const cluster of CLUSTERS) {
          await createApiGatewayHandler(relay)(
            apiEvent({ route: cluster, body: verdictEvent(sha, 'success', base * 1000) }),
          );
        }
      }
      const client = new SQSClient(sqs.clientConfig());
      const receive = () =>
        client.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
        );
      /** What the event source mapping does with a batch's answer: the rest is acknowledged. */
      const acknowledge = async (messages: Message[], failed: string[]) => {
        for (const message of messages.filter((m) => !failed.includes(m.MessageId ?? ''))) {
          await client.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        }
      };
      const rollupWrites = (sha: string) =>
        github.statusesOf('acme/fleet-infra', sha).filter((status) => status.context === CONTEXT);
      return { fifo, recompute, records, shas, receive, acknowledge, rollupWrites, queueUrl };
    }

    it('hands a recompute back to its group for the wait instead of sleeping, and it writes when it comes back', async () => {
      // Prepare
      const { fifo, recompute, records, shas, receive, acknowledge, rollupWrites, queueUrl } =
        await twoRollups('cd');
      const consume = createRecomputeConsumer(recompute, {
        maxReceiveCount: 3,
        onDeadLetter: () => undefined,
        postpone: fifo.postpone.bind(fifo),
        deferSpacingAfterMs: DEFER_AFTER_MS,
      });
      const changesBefore = sqs.visibilityChanges.length;

      // Act: both roll-ups in one batch; the second write finds GitHub's slot two seconds away.
      const first = (await receive()).Messages ?? [];
      const started = Date.now();
      const answer = await consume(batchOf(first), CONTEXT_30S);
      const consumedMs = Date.now() - started;
      const failed = answer.batchItemFailures.map((failure) => failure.itemIdentifier);
      await acknowledge(first, failed);
      const whileHidden = (await receive()).Messages ?? [];
      await new Promise((done) => setTimeout(done, SPACING_MS + 200));
      const again = (await receive()).Messages ?? [];
      const secondAnswer = await consume(batchOf(again), CONTEXT_30S);
      await acknowledge(
        again,
        secondAnswer.batchItemFailures.map((failure) => failure.itemIdentifier),
      );

      // Assess: one group (its three messages) handed back, hidden for the whole wait, not slept through.
      expect(first).toHaveLength(6);
      expect(failed).toHaveLength(3);
      const deferred = first.filter((message) => failed.includes(message.MessageId ?? ''));
      expect(new Set(deferred.map((message) => message.Attributes?.MessageGroupId)).size).toBe(1);
      expect(consumedMs).toBeLessThan(SPACING_MS - 300);
      expect(sqs.visibilityChanges.slice(changesBefore)).toEqual(
        expect.arrayContaining(
          deferred.map((message) => ({ receiptHandle: message.ReceiptHandle, visibilityTimeout: 2 })),
        ),
      );
      expect(sqs.visibilityChanges.length - changesBefore).toBe(3);
      expect(whileHidden).toEqual([]);
      // The same messages, in their order, then one recompute that writes.
      expect(again.map((message) => message.MessageId)).toEqual(deferred.map((message) => message.MessageId));
      expect(secondAnswer).toEqual({ batchItemFailures: [] });
      expect(sqs.waiting(queueUrl)).toBe(0);
      for (const sha of shas) {
        expect(rollupWrites(sha)).toMatchObject([
          { state: 'success', description: '3/3 clusters reconciled' },
        ]);
      }
      // The recomputes' log records (the clusters' reports are "recorded").
      const recomputes = records.filter(
        (record) => record.rollup !== undefined && record.outcome !== 'recorded',
      );
      expect(recomputes.map((record) => record.outcome).sort()).toEqual(['queued', 'written', 'written']);
      expect(recomputes.find((record) => record.outcome === 'queued')?.reason).toMatch(/write spacing/);
    });

    it('hands a recompute back when its deployment writes would wait for their slot, and each lands once', async () => {
      // Prepare: a deployment per roll-up, so each recompute writes the roll-up, creates a
      // deployment and writes its status, every write two seconds after the one before.
      const { fifo, recompute, records, shas, receive, acknowledge, rollupWrites, queueUrl } =
        await twoRollups('ab', true);
      const consume = createRecomputeConsumer(recompute, {
        maxReceiveCount: 10,
        onDeadLetter: () => undefined,
        postpone: fifo.postpone.bind(fifo),
        deferSpacingAfterMs: DEFER_AFTER_MS,
      });

      // Act: consume until the queue is drained, waiting out each hand-back's visibility (bounded:
      // six writes two seconds apart, one client's slot shared by both groups).
      const consumedMs: number[] = [];
      for (let round = 0; round < 60 && sqs.waiting(queueUrl) > 0; round++) {
        const messages = (await receive()).Messages ?? [];
        if (messages.length === 0) {
          await new Promise((done) => setTimeout(done, 500));
          continue;
        }
        const started = Date.now();
        const answer = await consume(batchOf(messages), CONTEXT_30S);
        consumedMs.push(Date.now() - started);
        await acknowledge(
          messages,
          answer.batchItemFailures.map((failure) => failure.itemIdentifier),
        );
      }

      // Assess: never slept through a slot; one roll-up status, one deployment and one status each.
      expect(sqs.waiting(queueUrl)).toBe(0);
      expect(Math.max(...consumedMs)).toBeLessThan(SPACING_MS - 300);
      for (const sha of shas) {
        expect(rollupWrites(sha)).toHaveLength(1);
        const deployments = github.deploymentsOf('acme/fleet-infra', sha, 'production');
        expect(deployments).toHaveLength(1);
        expect(deployments[0]?.statuses.map((status) => status.state)).toEqual(['success']);
      }
      const handedBack = records.filter(
        (record) => record.rollup !== undefined && record.outcome === 'queued',
      );
      expect(handedBack.length).toBeGreaterThanOrEqual(2);
      expect(handedBack.every((record) => /write spacing/.test(record.reason ?? ''))).toBe(true);
    }, 60_000);

    it('sleeps for its slot at the last receive rather than leave for the dead-letter queue', async () => {
      // Prepare
      const { fifo, recompute, shas, receive, rollupWrites } = await twoRollups('ef');
      const deadLettered: string[] = [];
      const consume = createRecomputeConsumer(recompute, {
        maxReceiveCount: 1,
        onDeadLetter: (reason) => void deadLettered.push(reason),
        postpone: fifo.postpone.bind(fifo),
        deferSpacingAfterMs: DEFER_AFTER_MS,
      });
      const changesBefore = sqs.visibilityChanges.length;

      // Act
      const started = Date.now();
      const answer = await consume(batchOf((await receive()).Messages ?? []), CONTEXT_30S);
      const consumedMs = Date.now() - started;

      // Assess: both roll-ups written, the second after its slot, nothing handed back or dead-lettered.
      expect(answer).toEqual({ batchItemFailures: [] });
      expect(consumedMs).toBeGreaterThanOrEqual(SPACING_MS - 500);
      expect(sqs.visibilityChanges.length).toBe(changesBefore);
      expect(deadLettered).toEqual([]);
      for (const sha of shas) expect(rollupWrites(sha)).toHaveLength(1);
    });
  });

  it('property: with hand-backs and two consumers, a roll-up never runs twice at once and ends showing its newest verdicts', async () => {
    let clock = Date.now();
    const timed = await new FakeSqs(() => clock).start();
    const client = new SQSClient(timed.clientConfig());
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(
            fc.record({
              cluster: fc.constantFrom(...CLUSTERS),
              verdict: fc.constantFrom('pending', 'success', 'failure') as fc.Arbitrary<Verdict>,
            }),
            { minLength: 1, maxLength: 6 },
          ),
          fc.array(fc.boolean(), { maxLength: 12 }),
          async (s, reports, handBacks) => {
            // Prepare: a FIFO queue of its own, a GitHub client whose writes GitHub's spacing may hold.
            const queueUrl = `${timed.server.url}/123456789012/property-${++run}.fifo`;
            const fifo = new FifoQueue(queueUrl, timed.clientConfig());
            const holds = [...handBacks];
            const createClient: CreateForgeClient = async (provider, credentials) => {
              const forge = await createForgeClient(provider, credentials);
              return {
                write: async (status, options) => {
                  await s.schedule(Promise.resolve(), `roll-up write ${status.state}`);
                  if (options.deferAfterMs !== undefined && holds.shift() === true) {
                    throw new WriteDeferredError(
                      "GitHub's write spacing would hold this write 1500 ms",
                      1500,
                    );
                  }
                  return forge.write(status, options);
                },
              };
            };
            const routes = fleetRoutes(github.url, CLUSTERS);
            const { relay, recompute, records } = testRelay(routes, {
              environments: {
                production: { context: 'flux/{{environment}}/{{kind}}/{{name}}', counts: true },
              },
              recomputes: new FifoRecomputes(fifo),
              createClient,
            });
            let running = 0;
            let overlapped = false;
            const watched: RunRecompute = async (request, deadline, deferAfterMs) => {
              overlapped ||= running > 0;
              running++;
              try {
                await recompute(request, deadline, deferAfterMs);
              } finally {
                running--;
              }
            };
            const consume = createRecomputeConsumer(watched, {
              maxReceiveCount: 4,
              onDeadLetter: () => undefined,
              postpone: fifo.postpone.bind(fifo),
              deferSpacingAfterMs: 1000,
            });
            /** One consumer's turn: a second passes, it receives what is visible and consumes it. */
            const step = async () => {
              clock += 1000;
              const messages =
                (
                  await client.send(
                    new ReceiveMessageCommand({
                      QueueUrl: queueUrl,
                      MaxNumberOfMessages: 10,
                      VisibilityTimeout: 30,
                    }),
                  )
                ).Messages ?? [];
              if (messages.length === 0) return;
              const failed = (await consume(batchOf(messages), CONTEXT_30S)).batchItemFailures.map(
                (failure) => failure.itemIdentifier,
              );
              for (const message of messages.filter((m) => !failed.includes(m.MessageId ?? ''))) {
                await client.send(
                  new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
                );
              }
            };
            const sha = run.toString(16).padStart(8, '0').repeat(5);
            const base = Math.floor(Date.now() / 1000) - 600;

            // Act: the reports (each newer than the one before) and two consumers, in any interleaving.
            const sends = reports.map((report, index) =>
              s.schedule(Promise.resolve(), `report ${index}`).then(() =>
                createApiGatewayHandler(relay)(
                  apiEvent({
                    route: report.cluster,
                    body: verdictEvent(sha, report.verdict, (base + index) * 1000),
                  }),
                ),
              ),
            );
            const consumers = [1, 2].map(async (name) => {
              for (let turn = 0; turn < 4; turn++) {
                await s.schedule(Promise.resolve(), `consumer ${name} turn ${turn}`);
                await step();
              }
            });
            await s.waitFor(Promise.all([...sends, ...consumers]));
            // Then the queue is drained, as the event source mapping would.
            for (let turn = 0; turn < 40 && timed.waiting(queueUrl) > 0; turn++) {
              clock += 1000;
              await s.waitFor(step());
            }

            // Assess: no overlap, nothing left, and a fresh recompute finds the forge already showing it.
            expect(overlapped).toBe(false);
            expect(timed.waiting(queueUrl)).toBe(0);
            const request = records.find(
              (record) => record.rollup !== undefined && record.outcome !== 'recorded',
            );
            if (request === undefined) return;
            const before = records.length;
            holds.length = 0;
            const rollup = rollupKeyOf(routes[0] as (typeof routes)[number], sha, 'production', CONTEXT);
            await s.waitFor(
              recompute({
                routeId: request.route ?? '',
                environment: 'production',
                object: request.object ?? '',
                sha,
                context: CONTEXT,
                rollup,
              }),
            );
            expect(records.slice(before)).toMatchObject([{ rollup: { outcome: 'duplicate' } }]);
          },
        ),
        { numRuns: 15 },
      );
    } finally {
      await timed.stop();
    }
  });
});
