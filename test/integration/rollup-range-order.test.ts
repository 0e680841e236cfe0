import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FleetEnvironment } from '../../functions/config/fleet-environments.js';
import { ForgeUnavailableError } from '../../functions/core/errors.js';
import type { CreateForgeClient } from '../../functions/delivery/forge-clients.js';
import { canReadRange } from '../../functions/forges/commit-range.js';
import type { ForgeClient } from '../../functions/forges/forge.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import type { ClusterVerdicts } from '../../functions/ledger/cluster-verdicts.js';
import type { DeploymentHistoryStore } from '../../functions/ledger/deployment-history.js';
import { DynamoDbClusterVerdicts } from '../../functions/ledger/dynamodb-cluster-verdicts.js';
import { DynamoDbDeploymentHistory } from '../../functions/ledger/dynamodb-deployment-history.js';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { DynamoDbRollupLedger } from '../../functions/ledger/dynamodb-rollup-ledger.js';
import type { RollupLedger } from '../../functions/ledger/rollup-ledger.js';
import type { StatusLedger } from '../../functions/ledger/status-ledger.js';
import type { QueuedDelivery, Redeliver } from '../../functions/queue/delivery-queue.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { fleetRoutes, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import {
  carriedBy,
  expectOwnVerdictWins,
  expectRaceEndsInOrder,
  ownVerdictPlan,
  racePlan,
} from '../harness/range-plans.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';
import { useSharedTable } from '../harness/shared-table.js';

/**
 * A fleet environment's roll-up marks its range once, on the roll-up's context, in every
 * interleaving: two containers share the ledger, the roll-up records, the clusters' verdicts and the
 * history on dynalite (the real DynamoDB client), and fast-check's scheduler orders each of their
 * calls, each forge write and each range read. Real octokit writes to a stateful GitHub on loopback
 * whose history the test makes. The clusters' routes write only the roll-up.
 */

const REPO = 'acme/fleet-infra';
const CLUSTERS = ['prod-eu-1', 'prod-us-1'] as const;
let runs = 0;

describe('a roll-up’s range in every interleaving', () => {
  const shared = useSharedTable();

  /** Two containers over the shared tables, each call of theirs a step that `s` orders (when given). */
  function containers(
    s: fc.Scheduler | undefined,
    environment: Partial<FleetEnvironment> = {},
    faults: { queue?: QueuedDelivery[]; failCarried?: boolean } = {},
  ) {
    const step = <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      s === undefined ? call : s.scheduleFunction(call);
    const sharedLedger = new DynamoDbLedger(shared.table, shared.dynamo.clientConfig);
    const sharedRollups = new DynamoDbRollupLedger(shared.table, shared.dynamo.clientConfig);
    const sharedHistory = new DynamoDbDeploymentHistory(shared.table, shared.dynamo.clientConfig);
    const sharedClusters = new DynamoDbClusterVerdicts(shared.fleetTable, shared.dynamo.clientConfig);
    const ledger: StatusLedger = {
      read: step((key: string) => sharedLedger.read(key)),
      swap: step((key: string, version: number | undefined, next) => sharedLedger.swap(key, version, next)),
    };
    const rollups: RollupLedger = {
      read: step((key: string) => sharedRollups.read(key)),
      swap: step((key: string, version: number | undefined, next) => sharedRollups.swap(key, version, next)),
    };
    const history: DeploymentHistoryStore = {
      read: step((key: string) => sharedHistory.read(key)),
      swap: step((key: string, version: number | undefined, next) => sharedHistory.swap(key, version, next)),
    };
    const clusters: ClusterVerdicts = {
      report: step((...args: Parameters<ClusterVerdicts['report']>) => sharedClusters.report(...args)),
      query: step((rollup: string) => sharedClusters.query(rollup)),
    };
    const calls = { ranges: 0, writes: 0 };
    const createClient: CreateForgeClient = async (provider, credentials) => {
      const client = await createForgeClient(provider, credentials);
      if (!canReadRange(client)) throw new Error('GitHub reads no ranges');
      const scheduled: ForgeClient & Pick<typeof client, 'commitRange'> = {
        write: async (status, options) => {
          calls.writes++;
          if (faults.failCarried && status.description.startsWith('deployed with')) {
            throw new ForgeUnavailableError('GitHub answered 502', 502);
          }
          if (s !== undefined)
            await s.schedule(Promise.resolve(), `write ${status.sha.slice(0, 4)} goes out`);
          return client.write(status, options);
        },
        commitRange: async (base, head, options) => {
          calls.ranges++;
          if (s !== undefined) await s.schedule(Promise.resolve(), `range ${head.slice(0, 4)} asked`);
          return client.commitRange(base, head, options);
        },
      };
      return scheduled;
    };
    // Each run its own environment, so that no history of an earlier run is in the way.
    const name = `range-${++runs}`;
    const context = `flux/${name}/kustomization/apps`;
    const routes = fleetRoutes(shared.github.url, CLUSTERS, { environment: name });
    const redeliverers: Redeliver[] = [];
    const relays = [0, 1].map(() => {
      const harness = testRelay(routes, {
        environments: { [name]: { context: 'flux/{{environment}}/{{kind}}/{{name}}', ...environment } },
        ledger,
        rollups,
        clusters,
        history,
        createClient,
        ...(faults.queue === undefined
          ? {}
          : { queue: { enqueue: async (delivery: QueuedDelivery) => void faults.queue?.push(delivery) } }),
      });
      const handler = createApiGatewayHandler(harness.relay);
      redeliverers.push(harness.redeliver);
      /** Every cluster reports `verdict` on `sha` at `time`. */
      return async (sha: string, verdict: Verdict, time: number) => {
        for (const cluster of CLUSTERS) {
          await handler(apiEvent({ route: cluster, body: verdictEvent(sha, verdict, time) }));
        }
      };
    });
    const rollupsOf = (sha: string) =>
      shared.github.statusesOf(REPO, sha).filter((status) => status.context === context);
    return { relays, redeliverers, calls, shown: (sha: string) => rollupsOf(sha)[0], rollupsOf };
  }

  it('a commit’s own late roll-up verdict wins over the status the range gives it, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), ownVerdictPlan, async (s, { own, deployed, ownSecond }) => {
        // Prepare: W settled in the environment; c1, c2 and X pushed; X deployed.
        const { graph } = shared.github;
        const [w] = graph.chain(`rw-${runs}`, 1) as [string];
        const [c1, c2, x] = graph.chain(`rburst-${runs}`, 3, w) as [string, string, string];
        const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
        const { relays, shown } = containers(s);
        const [a, b] = relays as [(typeof relays)[0], (typeof relays)[0]];
        await s.waitFor(a(w, 'success', t0));

        // Act: X's verdict and c1's own verdict come in at once, in the order the scheduler picks.
        await s.waitFor(Promise.all([a(x, deployed, t0 + 30_000), b(c1, own, t0 + ownSecond * 1000)]));

        // Assess
        expectOwnVerdictWins(shown, [c1, c2, x], { own, deployed });
      }),
      { numRuns: 15 },
    );
  });

  it('two racing roll-ups give each commit the status of the first that carried it, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), racePlan, async (s, { first, second }) => {
        // Prepare: W settled; then c1, X, c2, Y; X deployed at second 20 and Y at second 40.
        const { graph } = shared.github;
        const [w] = graph.chain(`rw-${runs}`, 1) as [string];
        const [c1, x, c2, y] = graph.chain(`rrace-${runs}`, 4, w) as [string, string, string, string];
        const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
        const { relays, shown } = containers(s);
        const [a, b] = relays as [(typeof relays)[0], (typeof relays)[0]];
        await s.waitFor(a(w, 'success', t0));

        // Act
        await s.waitFor(Promise.all([a(x, first, t0 + 20_000), b(y, second, t0 + 40_000)]));

        // Assess: what a sequential delivery would show, whichever roll-up turned final first.
        expectRaceEndsInOrder(shown, [c1, x, c2, y], { first, second });
      }),
      { numRuns: 15 },
    );
  });

  it('marks the range once: not once per cluster report, per recompute or per re-sent verdict', async () => {
    // Prepare
    const { graph } = shared.github;
    const [w] = graph.chain('once-w', 1) as [string];
    const [c1, c2, x] = graph.chain('once', 3, w) as [string, string, string];
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const { relays, calls, shown, rollupsOf } = containers(undefined);
    const [a, b] = relays as [(typeof relays)[0], (typeof relays)[0]];
    await a(w, 'success', t0);

    // Act: both clusters report X from both containers, then Flux re-sends it a second later.
    await a(x, 'success', t0 + 30_000);
    await b(x, 'success', t0 + 30_000);
    await b(x, 'success', t0 + 31_000);

    // Assess: one range read, one status for each carried commit, X's own roll-up untouched.
    expect(calls.ranges).toBe(1);
    for (const sha of [c1, c2]) {
      expect(rollupsOf(sha).map((status) => [status.state, status.description])).toEqual([
        ['success', `deployed with ${x.slice(0, 7)}`],
      ]);
    }
    expect(shown(x)?.state).toBe('success');
    expect(shown(x)?.description).not.toMatch(/^deployed with/);
  });

  it('writes nothing on a rollback, and nothing with rangeStatuses: false', async () => {
    // Prepare: p, w and x in a line; the environment settles on w, then on x.
    const { graph } = shared.github;
    const [p, w, x] = graph.chain('back', 3) as [string, string, string];
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const rolling = containers(undefined);
    const off = containers(undefined, { rangeStatuses: false });
    const [a] = rolling.relays as [(typeof rolling.relays)[0]];
    const [o] = off.relays as [(typeof off.relays)[0]];
    await a(w, 'success', t0);
    await a(x, 'success', t0 + 10_000);

    // Act: p, an ancestor of x, is deployed (a rollback); and an environment without ranges.
    await a(p, 'success', t0 + 20_000);
    await o(p, 'success', t0);
    await o(x, 'success', t0 + 10_000);

    // Assess: the rollback asked (x..p), found p no descendant of x, and wrote only p's own roll-up;
    // the environment without ranges asked nothing and gave w nothing.
    expect(rolling.calls.ranges).toBe(2);
    const descriptions = rolling.rollupsOf(p).map((status) => status.description);
    expect(descriptions[0]).toBe('2/2 clusters reconciled');
    expect(descriptions.filter((description) => description?.startsWith('deployed with'))).toEqual([]);
    expect(off.calls.ranges).toBe(0);
    // It did write x's own roll-up: the reports were taken, only the range is off.
    expect(off.shown(x)?.state).toBe('success');
    expect(off.rollupsOf(w)).toEqual([]);
  });

  it('queues what the forge refused under the roll-up identity; redelivered, it stays below the commit’s own roll-up', async () => {
    // Prepare: the forge refuses every carried status; c1's own roll-up comes before the queue's turn.
    const { graph } = shared.github;
    const [w] = graph.chain('queued-w', 1) as [string];
    const [c1, c2, x] = graph.chain('queued', 3, w) as [string, string, string];
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const queue: QueuedDelivery[] = [];
    const failing = containers(undefined, {}, { queue, failCarried: true });
    const [a] = failing.relays as [(typeof failing.relays)[0]];
    await a(w, 'success', t0);
    await a(x, 'success', t0 + 30_000);
    const handedOver = queue.map((delivery) => ({ ...delivery }));
    await a(c1, 'failure', t0 + 10_000);

    // Act: the queue's consumer (another container, the forge well again) redelivers them.
    const healthy = containers(undefined);
    const [redeliver] = healthy.redeliverers as [Redeliver];
    const results = [];
    for (const delivery of handedOver)
      results.push(await redeliver(delivery, 1, { maxAttempts: 8, delayMs: 0 }));

    // Assess: one message per carried commit, each naming its roll-up identity; c1 keeps its own
    // failure, c2 shows the range's status.
    expect(handedOver.map((delivery) => delivery.status.sha)).toEqual([c2, c1]);
    expect(
      handedOver.every(
        (delivery) => delivery.carried && delivery.rollupIdentity?.startsWith('rollup-status|'),
      ),
    ).toBe(true);
    expect(results).toEqual([{ kind: 'done' }, { kind: 'done' }]);
    expect(failing.shown(c1)?.state).toBe('failure');
    expect(failing.shown(c2)?.description).toMatch(carriedBy(x));
    expect(failing.shown(c2)?.state).toBe('success');
  });
});
