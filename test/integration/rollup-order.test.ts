import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FleetEnvironment } from '../../functions/config/fleet-environments.js';
import { ForgeUnavailableError } from '../../functions/core/errors.js';
import { truncate } from '../../functions/core/text.js';
import type { CreateForgeClient } from '../../functions/delivery/forge-clients.js';
import { rollupOf } from '../../functions/fleet/rollup.js';
import { recordKeyOf, rollupKeyOf } from '../../functions/fleet/rollup-place.js';
import { canDispatch } from '../../functions/forges/forge.js';
import { GITHUB_DESCRIPTION_LIMIT } from '../../functions/forges/github/descriptor.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import type { ClusterVerdicts } from '../../functions/ledger/cluster-verdicts.js';
import { DynamoDbClusterVerdicts } from '../../functions/ledger/dynamodb-cluster-verdicts.js';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { DynamoDbRollupLedger } from '../../functions/ledger/dynamodb-rollup-ledger.js';
import type { RollupLedger } from '../../functions/ledger/rollup-ledger.js';
import { eventOrder, type StatusLedger } from '../../functions/ledger/status-ledger.js';
import type { QueuedDelivery } from '../../functions/queue/delivery-queue.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { fleetRoutes, testRoute, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';
import { useSharedTable } from '../harness/shared-table.js';

/**
 * The roll-up's promise, through the whole relay: three clusters of one environment, two relays
 * ("containers") sharing one ledger table on dynalite through the real DynamoDB client, real
 * octokit against a stateful GitHub, Flux's own retries on a 5xx and the retry queue's redeliveries.
 */

const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'prod-us-2'] as const;
const ROLLUP_CONTEXT = 'flux/production/kustomization/apps';
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 3600_000;
const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString().replace('.000', '');
let shaCounter = 0;
const nextSha = () => (++shaCounter).toString(16).padStart(40, 'b');

const fluxEvent = (sha: string, verdict: Verdict, time: string) =>
  verdictEvent(sha, verdict, time, { message: 'podinfo not ready' });

const PRODUCTION: FleetEnvironment = {
  context: 'flux/{{environment}}/{{kind}}/{{name}}',
  counts: true,
  promotion: { type: 'repository_dispatch', eventType: 'flux-production-ready' },
};

describe('the roll-up tells the truth across clusters and containers', () => {
  const shared = useSharedTable();

  const shown = (sha: string, context: string) =>
    shared.github.statusesOf('acme/fleet-infra', sha).find((status) => status.context === context);
  const rollupWrites = (sha: string) =>
    shared.github.statusesOf('acme/fleet-infra', sha).filter((status) => status.context === ROLLUP_CONTEXT);

  function container(
    options: {
      ledger?: StatusLedger;
      rollups?: RollupLedger;
      clusters?: ClusterVerdicts;
      createClient?: CreateForgeClient;
      queue?: (delivery: QueuedDelivery) => void;
      clusterStatuses?: boolean;
    } = {},
  ) {
    const routes = fleetRoutes(shared.github.url, CLUSTERS, {
      clusterStatuses: options.clusterStatuses ?? true,
    });
    const harness = testRelay(routes, {
      environments: { production: PRODUCTION },
      ledger: options.ledger ?? new DynamoDbLedger(shared.table, shared.dynamo.clientConfig),
      rollups: options.rollups ?? new DynamoDbRollupLedger(shared.table, shared.dynamo.clientConfig),
      clusters:
        options.clusters ?? new DynamoDbClusterVerdicts(shared.fleetTable, shared.dynamo.clientConfig),
      recomputeRetryMs: 5,
      ...(options.createClient ? { createClient: options.createClient } : {}),
      ...(options.queue ? { queue: { enqueue: async (delivery) => options.queue?.(delivery) } } : {}),
    });
    const handler = createApiGatewayHandler(harness.relay);
    return {
      ...harness,
      send: async (cluster: string, body: string) =>
        JSON.parse((await handler(apiEvent({ route: cluster, body }))).body),
    };
  }

  /** The roll-up's record leaves the table, as DynamoDB's TTL or the memory store's eviction takes it. */
  async function expire(sha: string) {
    const route = testRoute(shared.github.url, {
      id: 'prod-eu-1',
      cluster: 'prod-eu-1',
      environment: 'production',
    });
    const key = recordKeyOf(rollupKeyOf(route, sha, 'production', ROLLUP_CONTEXT));
    await shared.dynamo.client.send(
      new DeleteItemCommand({ TableName: shared.table, Key: { id: { S: key } } }),
    );
  }

  it('a five-cluster environment: one truthful check, written only when it changes, one dispatch', async () => {
    // Prepare
    const five = ['prod-eu-1', 'prod-eu-2', 'prod-us-1', 'prod-us-2', 'prod-ap-1'];
    const sha = nextSha();
    const routes = five.map((cluster) =>
      testRoute(shared.github.url, {
        id: cluster,
        cluster,
        environment: 'production',
        clusterStatuses: false,
      }),
    );
    const { relay, settle } = testRelay(routes, {
      environments: { production: PRODUCTION },
      ledger: new DynamoDbLedger(shared.table, shared.dynamo.clientConfig),
      rollups: new DynamoDbRollupLedger(shared.table, shared.dynamo.clientConfig),
      clusters: new DynamoDbClusterVerdicts(shared.fleetTable, shared.dynamo.clientConfig),
    });
    const send = async (cluster: string, verdict: Verdict, second: number) => {
      const answer = await createApiGatewayHandler(relay)(
        apiEvent({ route: cluster, body: fluxEvent(sha, verdict, at(second)) }),
      );
      // The roll-up's consumer runs after the answer: each report's recompute before the next.
      await settle();
      return JSON.parse(answer.body);
    };
    const dispatchesBefore = shared.github.dispatches.length;

    // Act: all five progress, four succeed, one fails, then recovers; Flux re-sends everything.
    for (const cluster of five) await send(cluster, 'pending', 0);
    for (const cluster of five.filter((name) => name !== 'prod-us-2')) await send(cluster, 'success', 10);
    await send('prod-us-2', 'failure', 10);
    const failing = shown(sha, ROLLUP_CONTEXT);
    await send('prod-us-2', 'success', 20);
    const writesBeforeResends = rollupWrites(sha).length;
    const resends = await Promise.all(five.map((cluster) => send(cluster, 'success', 30)));

    // Assess
    expect(failing).toMatchObject({
      state: 'failure',
      description: '4/5 clusters reconciled, 1 failing (prod-us-2: health check failed: podinfo not ready)',
    });
    expect(shown(sha, ROLLUP_CONTEXT)).toMatchObject({
      state: 'success',
      description: '5/5 clusters reconciled',
    });
    // No cluster context is written: the routes turned their own statuses off.
    expect(
      shared.github.statusesOf('acme/fleet-infra', sha).every((status) => status.context === ROLLUP_CONTEXT),
    ).toBe(true);
    // Each write is a change of the roll-up's state or description, and re-sends change nothing.
    const texts = rollupWrites(sha).map((status) => `${status.state} ${status.description}`);
    expect(texts).toEqual(texts.filter((text, index) => text !== texts[index + 1]));
    expect(rollupWrites(sha)).toHaveLength(writesBeforeResends);
    expect(resends.map((answer) => answer.outcome)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect(shared.github.dispatches.slice(dispatchesBefore)).toEqual([
      {
        repository: 'acme/fleet-infra',
        event_type: 'flux-production-ready',
        client_payload: {
          environment: 'production',
          object: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
          sha,
          ref: 'main',
          clusters: five,
        },
      },
    ]);
  });

  it('a record that expired between reports orders after the old one, and promotes nothing twice', async () => {
    // Prepare
    const sha = nextSha();
    const { send } = container({ clusterStatuses: false });
    const dispatchesBefore = shared.github.dispatches.length;

    // Act: green and promoted; the record expires; a cluster fails a redeployment, and recovers;
    // the record expires again, and the cluster fails once more.
    for (const cluster of CLUSTERS) await send(cluster, fluxEvent(sha, 'success', at(0)));
    await expire(sha);
    await send('prod-us-1', fluxEvent(sha, 'failure', at(10)));
    const failing = shown(sha, ROLLUP_CONTEXT);
    await send('prod-us-1', fluxEvent(sha, 'success', at(20)));
    const recovered = shown(sha, ROLLUP_CONTEXT);
    await expire(sha);
    await send('prod-us-1', fluxEvent(sha, 'failure', at(30)));

    // Assess: each roll-up after a new record is written over the old record's (its sequence is later).
    expect(failing).toMatchObject({ state: 'failure' });
    expect(recovered).toMatchObject({ state: 'success', description: '3/3 clusters reconciled' });
    expect(shown(sha, ROLLUP_CONTEXT)).toMatchObject({ state: 'failure' });
    // The new record knew from the roll-up's status that the commit had been promoted.
    expect(shared.github.dispatches.slice(dispatchesBefore)).toHaveLength(1);
  });

  /**
   * Reports race the roll-up's consumers, and each container runs its own consumer, so two
   * recomputes of one roll-up run side by side as a consumer stalled past its visibility timeout
   * and the one SQS gave the message to next would; forge writes of a recompute fail; the roll-up's
   * record expires (is deleted) between reports.
   */
  it('ends with the roll-up of every cluster newest verdict, and at most one dispatch, in any interleaving', async () => {
    const verdict = fc.constantFrom<Verdict>('pending', 'success', 'failure');
    const clusterEvents = fc.uniqueArray(fc.record({ second: fc.integer({ min: 0, max: 2 }), verdict }), {
      maxLength: 2,
      selector: (event) => `${event.second}/${event.verdict}`,
    });
    const plan = fc.record({
      events: fc.tuple(clusterEvents, clusterEvents, clusterEvents),
      extra: fc.array(fc.nat({ max: 5 }), { maxLength: 2 }),
      expireAt: fc.option(fc.nat({ max: 6 }), { nil: undefined }),
      faults: fc.array(fc.constantFrom('none', 'before', 'after'), { minLength: 4, maxLength: 4 }),
      dispatchFails: fc.boolean(),
      sender: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        plan,
        async (s, { events, extra, expireAt, faults: planned, dispatchFails, sender }) => {
          // A copy: the outage ends mid-test, and a counterexample must show the plan as it was.
          const faults = [...planned];
          // Prepare: every ledger call, forge write and dispatch is a step the scheduler orders.
          const sha = nextSha();
          const statuses = new DynamoDbLedger(shared.table, shared.dynamo.clientConfig);
          const records = new DynamoDbRollupLedger(shared.table, shared.dynamo.clientConfig);
          const ledger: StatusLedger = {
            read: s.scheduleFunction((key: string) => statuses.read(key)),
            swap: s.scheduleFunction((key: string, version: number | undefined, next) =>
              statuses.swap(key, version, next),
            ),
          };
          const rollups: RollupLedger = {
            read: s.scheduleFunction((key: string) => records.read(key)),
            swap: s.scheduleFunction((key: string, version: number | undefined, next) =>
              records.swap(key, version, next),
            ),
          };
          let writeCount = 0;
          let dispatchFault = dispatchFails;
          const createClient: CreateForgeClient = async (provider, credentials) => {
            const client = await createForgeClient(provider, credentials);
            if (!canDispatch(client)) throw new Error('a GitHub client dispatches');
            return {
              write: async (status, options) => {
                const fault = faults[writeCount++] ?? 'none';
                await s.schedule(Promise.resolve(), `write ${status.context} ${status.state} goes out`);
                if (fault === 'before') throw new ForgeUnavailableError('GitHub answered 502');
                const result = await client.write(status, options);
                await s.schedule(Promise.resolve(), `write ${status.state} answered`);
                if (fault === 'after') throw new ForgeUnavailableError('the answer was lost');
                return result;
              },
              dispatch: async (
                eventType: string,
                payload: Record<string, unknown>,
                options: { deadline: number },
              ) => {
                await s.schedule(Promise.resolve(), 'dispatch goes out');
                // Only a dispatch GitHub never took fails: a lost answer is the documented window.
                if (dispatchFault) {
                  dispatchFault = false;
                  throw new ForgeUnavailableError('GitHub answered 502');
                }
                return client.dispatch(eventType, payload, options);
              },
            };
          };
          const queued: QueuedDelivery[] = [];
          const containers = [
            container({ ledger, rollups, createClient, queue: (delivery) => queued.push(delivery) }),
            container({ ledger, rollups, createClient }),
          ];
          const arrivals = events.flatMap((list, index) =>
            list.map((event) => ({
              cluster: CLUSTERS[index] as string,
              body: fluxEvent(sha, event.verdict, at(event.second)),
            })),
          );
          const deliveries = [
            ...arrivals,
            ...extra.filter((index) => index < arrivals.length).map((index) => arrivals[index]),
          ];
          const dispatchesBefore = shared.github.dispatches.length;

          // Act: Flux retries a 5xx until the outage is over; the queue redelivers what it took, twice.
          async function deliver(arrival: (typeof arrivals)[number] | undefined, order: number) {
            if (arrival === undefined) return;
            await s.schedule(Promise.resolve(), `delivery ${order} arrives`);
            if (order === expireAt) await expire(sha);
            const from = containers[sender[order % sender.length] ? 1 : 0];
            for (let attempt = 0; attempt <= faults.length + 1; attempt++) {
              const answer = await from?.send(arrival.cluster, arrival.body);
              if (answer.error === undefined) return;
            }
          }
          await s.waitFor(Promise.all(deliveries.map(deliver)));
          faults.fill('none');
          await s.waitFor(
            (async () => {
              for (const delivery of [...queued, ...queued])
                await containers[0]?.redeliver(delivery, 2, { maxAttempts: 8, delayMs: 30_000 });
              // The roll-up's consumers (one per container, racing as two stalled ones would) finish.
              for (const each of containers) await each.settle();
            })(),
          );

          // Assess: the roll-up of each cluster's newest event, and one dispatch exactly when it is green.
          const rank = { pending: 0, success: 1, failure: 2 };
          const newest: Record<string, { order: string; state: Verdict; description: string }> = {};
          events.forEach((list, index) => {
            const last = [...list]
              .sort((x, y) => x.second - y.second || rank[x.verdict] - rank[y.verdict])
              .pop();
            if (last === undefined) return;
            const description =
              last.verdict === 'pending'
                ? 'progressing'
                : last.verdict === 'success'
                  ? 'reconciliation succeeded'
                  : 'health check failed: podinfo not ready';
            newest[CLUSTERS[index] as string] = {
              order: eventOrder(0, { state: last.verdict, description, targetUrl: '' }),
              state: last.verdict,
              description,
            };
          });
          const expected = rollupOf(CLUSTERS, newest);
          if (arrivals.length === 0) expect(shown(sha, ROLLUP_CONTEXT)).toBeUndefined();
          else {
            expect(shown(sha, ROLLUP_CONTEXT)).toMatchObject({
              state: expected.state,
              description: truncate(expected.description, GITHUB_DESCRIPTION_LIMIT),
            });
          }
          const sent = shared.github.dispatches.slice(dispatchesBefore);
          expect(sent.length).toBeLessThanOrEqual(1);
          if (expected.state === 'success') expect(sent).toMatchObject([{ client_payload: { sha } }]);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
