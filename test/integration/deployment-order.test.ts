import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FleetEnvironment } from '../../functions/config/fleet-environments.js';
import { ForgeUnavailableError } from '../../functions/core/errors.js';
import type { CreateForgeClient } from '../../functions/delivery/forge-clients.js';
import { type ClusterVerdict, rollupOf } from '../../functions/fleet/rollup.js';
import { canDeploy, type DeploymentWriter, type ForgeClient } from '../../functions/forges/forge.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import { DynamoDbClusterVerdicts } from '../../functions/ledger/dynamodb-cluster-verdicts.js';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { DynamoDbRollupLedger } from '../../functions/ledger/dynamodb-rollup-ledger.js';
import type { RollupLedger } from '../../functions/ledger/rollup-ledger.js';
import { eventOrder, type StatusLedger } from '../../functions/ledger/status-ledger.js';
import type { QueuedDelivery } from '../../functions/queue/delivery-queue.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { fleetRoutes, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';
import { useSharedTable } from '../harness/shared-table.js';

/**
 * The deployment's promise in any interleaving: two relays sharing dynalite, every ledger call and
 * every GitHub call (statuses, deployments, deployment statuses) a step that fc.scheduler orders,
 * some of them failing. One deployment per commit, and its newest status is the roll-up of each
 * cluster's newest verdict.
 */

const CLUSTERS = ['prod-eu-1', 'prod-us-1'] as const;
const BASE = Math.floor(Date.now() / 1000) * 1000 - 600_000;
let shaCounter = 0;
const nextSha = () => (++shaCounter).toString(16).padStart(40, 'e');
const DESCRIPTIONS: Record<Verdict, string> = {
  pending: 'progressing',
  success: 'reconciliation succeeded',
  failure: 'health check failed: not ready',
};

const fluxEvent = (sha: string, verdict: Verdict, second: number) =>
  verdictEvent(sha, verdict, BASE + second * 1000);

const PRODUCTION: FleetEnvironment = {
  context: 'flux/{{environment}}/{{kind}}/{{name}}',
  counts: true,
  deployments: { autoInactive: true },
};

describe('GitHub Deployments in any interleaving', () => {
  const shared = useSharedTable();

  it('creates one deployment and ends on the roll-up of every cluster newest verdict', async () => {
    const verdict = fc.constantFrom<Verdict>('pending', 'success', 'failure');
    const clusterEvents = fc.uniqueArray(fc.record({ second: fc.integer({ min: 0, max: 2 }), verdict }), {
      minLength: 1,
      maxLength: 2,
      selector: (event) => `${event.second}/${event.verdict}`,
    });
    const plan = fc.record({
      events: fc.tuple(clusterEvents, clusterEvents),
      faults: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      sender: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), plan, async (s, { events, faults: planned, sender }) => {
        // Prepare: a copy of the faults, since the outage ends mid-test (the counterexample keeps the plan).
        const faults = [...planned];
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
        const clusters = new DynamoDbClusterVerdicts(shared.fleetTable, shared.dynamo.clientConfig);
        let calls = 0;
        /** A GitHub call the scheduler orders; the first ones fail before they reach GitHub, as planned. */
        const step = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
          const fails = faults[calls++] ?? false;
          await s.schedule(Promise.resolve(), name);
          if (fails) throw new ForgeUnavailableError('GitHub answered 502');
          return call();
        };
        const createClient: CreateForgeClient = async (...args) => {
          const client = await createForgeClient(...args);
          if (!canDeploy(client)) throw new Error('a GitHub client deploys');
          const wrapped: ForgeClient & DeploymentWriter = {
            write: (status, options) => step(`status ${status.state}`, () => client.write(status, options)),
            findDeployment: (commit, environment, options) =>
              step('find deployment', () => client.findDeployment(commit, environment, options)),
            createDeployment: (deployment, options) =>
              step('create deployment', () => client.createDeployment(deployment, options)),
            deploymentShows: (id, state, description, options) =>
              step('read deployment status', () => client.deploymentShows(id, state, description, options)),
            createDeploymentStatus: (id, status, options) =>
              step(`deployment ${status.state}`, () => client.createDeploymentStatus(id, status, options)),
          };
          return wrapped;
        };
        const queued: QueuedDelivery[] = [];
        const containers = [0, 1].map(() => {
          const routes = fleetRoutes(shared.github.url, CLUSTERS);
          const { relay, redeliver } = testRelay(routes, {
            environments: { production: PRODUCTION },
            ledger,
            rollups,
            clusters,
            createClient,
            queue: { enqueue: async (delivery) => void queued.push(delivery) },
          });
          const handler = createApiGatewayHandler(relay);
          return {
            redeliver,
            send: async (cluster: string, body: string) =>
              JSON.parse((await handler(apiEvent({ route: cluster, body }))).body),
          };
        });
        const arrivals = events.flatMap((list, index) =>
          list.map((event) => ({
            cluster: CLUSTERS[index] as string,
            body: fluxEvent(sha, event.verdict, event.second),
          })),
        );

        // Act: Flux retries a 5xx; the queue then redelivers what it took, twice.
        await s.waitFor(
          Promise.all(
            arrivals.map(async (arrival, order) => {
              await s.schedule(Promise.resolve(), `delivery ${order} arrives`);
              const from = containers[sender[order % sender.length] ? 1 : 0] as (typeof containers)[number];
              for (let attempt = 0; attempt <= faults.length; attempt++) {
                if ((await from.send(arrival.cluster, arrival.body)).error === undefined) return;
              }
            }),
          ),
        );
        faults.fill(false);
        await s.waitFor(
          (async () => {
            for (const delivery of [...queued, ...queued])
              await containers[0]?.redeliver(delivery, 2, { maxAttempts: 8, delayMs: 30_000 });
          })(),
        );

        // Assess
        const rank = { pending: 0, success: 1, failure: 2 };
        const newest: Record<string, ClusterVerdict> = {};
        events.forEach((list, index) => {
          const last = [...list]
            .sort((x, y) => x.second - y.second || rank[x.verdict] - rank[y.verdict])
            .pop();
          if (last === undefined) return;
          const description = DESCRIPTIONS[last.verdict];
          newest[CLUSTERS[index] as string] = {
            order: eventOrder(0, { state: last.verdict, description, targetUrl: '' }),
            state: last.verdict,
            description,
          };
        });
        const expected = rollupOf(CLUSTERS, newest);
        const deployments = shared.github.deploymentsOf('acme/fleet-infra', sha, 'production');
        expect(deployments).toHaveLength(1);
        expect(deployments[0]?.statuses[0]).toMatchObject({
          state: expected.state === 'pending' ? 'in_progress' : expected.state,
          description: expected.description,
        });
      }),
      { numRuns: 40 },
    );
  }, 180_000);
});
