import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateForgeClient } from '../../functions/delivery/forge-clients.js';
import { canReadRange } from '../../functions/forges/commit-range.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import type { QueuedDelivery } from '../../functions/queue/delivery-queue.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { testRoute, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const REPO = 'acme/fleet-infra';
let runs = 0;

/** A route's deliveries through the Lambda handler, on a stateful GitHub whose history each test makes. */
describe('the statuses of the commits a deployment carried', () => {
  let github: FakeGitHub;

  beforeAll(async () => {
    github = await new FakeGitHub().start();
  });

  afterAll(async () => {
    await github.stop();
  });

  const descriptions = (sha: string) => github.statusesOf(REPO, sha).map((status) => status.description);

  function relay(
    options: Parameters<typeof testRelay>[1] & { route?: Parameters<typeof testRoute>[1] } = {},
  ) {
    const route = testRoute(github.url, { id: `carried-${++runs}`, ...options.route });
    const harness = testRelay([route], options);
    const handler = createApiGatewayHandler(harness.relay);
    return {
      ...harness,
      send: async (body: string) => JSON.parse((await handler(apiEvent({ body, route: route.id }))).body),
    };
  }

  it('writes nothing for a rollback: the deployed commit is an ancestor of the last one', async () => {
    // Prepare
    const [older, between, newer] = github.graph.chain(`rollback-${runs}`, 3) as [string, string, string];
    const { send, records } = relay();
    await send(verdictEvent(newer, 'success', '2026-07-14T09:00:00Z'));

    // Act
    const answer = await send(verdictEvent(older, 'success', '2026-07-14T09:10:00Z'));

    // Assess
    expect(answer.outcome).toBe('written');
    expect(descriptions(between)).toEqual([]);
    expect(records.at(-1)?.range).toMatchObject({ base: newer, descends: false, commits: 0, written: 0 });
  });

  it('writes nothing for a force push: the deployed commit and the last one diverged', async () => {
    const [root] = github.graph.chain(`root-${runs}`, 1);
    const [, deployed] = github.graph.chain(`old-${runs}`, 2, root) as [string, string];
    const [rewritten, pushed] = github.graph.chain(`pushed-${runs}`, 2, root) as [string, string];
    const { send, records } = relay();
    await send(verdictEvent(deployed, 'success', '2026-07-14T09:00:00Z'));

    await send(verdictEvent(pushed, 'success', '2026-07-14T09:10:00Z'));

    expect(descriptions(rewritten)).toEqual([]);
    expect(records.at(-1)?.range).toMatchObject({ base: deployed, descends: false, commits: 0 });
  });

  it('marks at most rangeLimit commits, newest first, and says how many it left', async () => {
    // Prepare: five commits after the last deployment, the fifth deployed; the route's bound is 2.
    const [base] = github.graph.chain(`base-${runs}`, 1);
    const burst = github.graph.chain(`long-${runs}`, 5, base) as string[];
    const { send, records } = relay({ route: { rangeLimit: 2 } });
    await send(verdictEvent(base as string, 'success', '2026-07-14T09:00:00Z'));

    // Act
    await send(verdictEvent(burst[4] as string, 'success', '2026-07-14T09:10:00Z'));

    // Assess
    const sha7 = (burst[4] as string).slice(0, 7);
    expect(descriptions(burst[3] as string)).toEqual([`deployed with ${sha7}`]);
    expect(descriptions(burst[2] as string)).toEqual([`deployed with ${sha7}`]);
    expect(descriptions(burst[1] as string)).toEqual([]);
    expect(descriptions(burst[0] as string)).toEqual([]);
    expect(records.at(-1)?.range).toMatchObject({ commits: 2, written: 2, left: 2 });
  });

  it('writes nothing more with rangeStatuses off', async () => {
    const [base, carried, head] = github.graph.chain(`off-${runs}`, 3) as [string, string, string];
    const { send, records } = relay({ route: { rangeStatuses: false } });
    await send(verdictEvent(base, 'success', '2026-07-14T09:00:00Z'));
    const before = github.requests.length;

    await send(verdictEvent(head, 'success', '2026-07-14T09:10:00Z'));

    expect(descriptions(carried)).toEqual([]);
    expect(records.at(-1)?.range).toBeUndefined();
    expect(github.requests.slice(before).map((request) => request.method)).toEqual(['GET', 'POST']);
  });

  it('hands what the deadline leaves to the queue, which writes it; nothing is dropped', async () => {
    // Prepare: four carried commits; the clock passes the deadline once the first is written.
    const [base] = github.graph.chain(`late-${runs}`, 1);
    const burst = github.graph.chain(`queued-${runs}`, 5, base) as string[];
    const head = burst[4] as string;
    const clock = { now: Date.now() };
    const createClient: CreateForgeClient = async (provider, credentials) => {
      const client = await createForgeClient(provider, credentials);
      if (!canReadRange(client)) throw new Error('GitHub reads no ranges');
      return {
        write: async (status, options) => {
          const result = await client.write(status, options);
          if (status.description.startsWith('deployed with')) clock.now += 60_000;
          return result;
        },
        commitRange: client.commitRange.bind(client),
      };
    };
    const queued: QueuedDelivery[] = [];
    const queue = { enqueue: async (delivery: QueuedDelivery) => void queued.push(delivery) };
    const { send, records, redeliver } = relay({ createClient, queue, now: () => clock.now });
    await send(verdictEvent(base as string, 'success', '2026-07-14T09:00:00Z'));

    // Act
    const answer = await send(verdictEvent(head, 'success', '2026-07-14T09:10:00Z'));
    for (const [attempt, delivery] of queued.entries())
      await redeliver(delivery, attempt + 1, { maxAttempts: 8, delayMs: 30_000 }, Date.now() + 20_000);

    // Assess: one written at once, three queued and then written, each once.
    expect(answer.outcome).toBe('written');
    expect(records.find((record) => record.sha === head)?.range).toMatchObject({
      commits: 4,
      written: 1,
      queued: 3,
    });
    expect(queued.map((delivery) => delivery.carried)).toEqual([true, true, true]);
    for (const sha of burst.slice(0, 4))
      expect(descriptions(sha)).toEqual([`deployed with ${head.slice(0, 7)}`]);
  });
});
