import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreateForgeClient } from '../../functions/delivery/forge-clients.js';
import { canReadRange } from '../../functions/forges/commit-range.js';
import type { ForgeClient } from '../../functions/forges/forge.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import type { DeploymentHistoryStore } from '../../functions/ledger/deployment-history.js';
import { DynamoDbDeploymentHistory } from '../../functions/ledger/dynamodb-deployment-history.js';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { DynamoDbPendingIndex } from '../../functions/ledger/dynamodb-pending-index.js';
import type { PendingIndex } from '../../functions/ledger/pending-index.js';
import type { StatusLedger } from '../../functions/ledger/status-ledger.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { testRoute, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
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
 * Range statuses against real events in every interleaving: two containers share the ledger, the
 * pending index and the deployment history on dynalite (the real DynamoDB client), and fast-check's
 * scheduler orders each of their calls, each forge write and each range read. Real octokit writes
 * to a stateful GitHub on loopback whose history the test makes.
 */

let runs = 0;
const REPO = 'acme/fleet-infra';

describe('range statuses in every interleaving with real events', () => {
  const shared = useSharedTable();
  const shown = (sha: string) => shared.github.statusesOf(REPO, sha)[0];

  /** Two containers over the shared table, each call of theirs a step that `s` orders. */
  function containers(s: fc.Scheduler, clock: { now: number }, historyReads: string[] = []) {
    const sharedLedger = new DynamoDbLedger(shared.table, shared.dynamo.clientConfig);
    const sharedIndex = new DynamoDbPendingIndex(shared.table, shared.dynamo.clientConfig);
    const sharedHistory = new DynamoDbDeploymentHistory(shared.table, shared.dynamo.clientConfig);
    const ledger: StatusLedger = {
      read: s.scheduleFunction((key: string) => sharedLedger.read(key)),
      swap: s.scheduleFunction((key: string, version: number | undefined, next) =>
        sharedLedger.swap(key, version, next),
      ),
    };
    const pending: PendingIndex = {
      read: s.scheduleFunction((key: string) => sharedIndex.read(key)),
      swap: s.scheduleFunction((key: string, version: number | undefined, next) =>
        sharedIndex.swap(key, version, next),
      ),
      due: s.scheduleFunction((now: number, limit: number) => sharedIndex.due(now, limit)),
    };
    const history: DeploymentHistoryStore = {
      read: s.scheduleFunction((key: string) => {
        historyReads.push(key);
        return sharedHistory.read(key);
      }),
      swap: s.scheduleFunction((key: string, version: number | undefined, next) =>
        sharedHistory.swap(key, version, next),
      ),
    };
    const createClient: CreateForgeClient = async (provider, credentials) => {
      const client = await createForgeClient(provider, credentials);
      if (!canReadRange(client)) throw new Error('GitHub reads no ranges');
      const scheduled: ForgeClient & Pick<typeof client, 'commitRange'> = {
        write: async (status, options) => {
          await s.schedule(Promise.resolve(), `write ${status.sha.slice(0, 4)} ${status.state} goes out`);
          const result = await client.write(status, options);
          await s.schedule(Promise.resolve(), `write ${status.sha.slice(0, 4)} answered`);
          return result;
        },
        commitRange: async (base, head, options) => {
          await s.schedule(Promise.resolve(), `range ${head.slice(0, 4)} asked`);
          return client.commitRange(base, head, options);
        },
      };
      return scheduled;
    };
    // Each run its own route, so that no history of an earlier run is in the way.
    const route = testRoute(shared.github.url, { id: `range-${++runs}` });
    return [0, 1].map(() => {
      const harness = testRelay([route], { ledger, pending, history, createClient, now: () => clock.now });
      const handler = createApiGatewayHandler(harness.relay);
      return {
        send: async (body: string) => JSON.parse((await handler(apiEvent({ body, route: route.id }))).body),
      };
    });
  }

  it('a commit’s own late verdict wins over the status the range gives it, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), ownVerdictPlan, async (s, { own, deployed, ownSecond }) => {
        // Prepare: W settled; c1, c2 and X pushed; X deployed.
        const { graph } = shared.github;
        const [w] = graph.chain(`w-${runs}`, 1);
        const [c1, c2, x] = graph.chain(`burst-${runs}`, 3, w) as [string, string, string];
        const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
        const clock = { now: Date.now() };
        const [a, b] = containers(s, clock);
        await s.waitFor(a?.send(verdictEvent(w as string, 'success', t0)) as Promise<unknown>);

        // Act: X's verdict and c1's own verdict come in at once, in the order the scheduler picks.
        const answers = await s.waitFor(
          Promise.all([
            a?.send(verdictEvent(x, deployed, t0 + 30_000)),
            b?.send(verdictEvent(c1, own, t0 + ownSecond * 1000)),
          ]),
        );

        // Assess
        expect(answers.map((answer) => answer.reason ?? answer.error)).toEqual([undefined, undefined]);
        expectOwnVerdictWins(shown, [c1, c2, x], { own, deployed });
      }),
      { numRuns: 25 },
    );
  });

  it('two racing deployments give each commit the status of the first that carried it, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), racePlan, async (s, { first, second }) => {
        // Prepare: W settled; then c1, X, c2, Y; X deployed at second 20 and Y at second 40.
        const { graph } = shared.github;
        const [w] = graph.chain(`w-${runs}`, 1);
        const [c1, x, c2, y] = graph.chain(`race-${runs}`, 4, w) as [string, string, string, string];
        const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
        const clock = { now: Date.now() };
        const [a, b] = containers(s, clock);
        await s.waitFor(a?.send(verdictEvent(w as string, 'success', t0)) as Promise<unknown>);

        // Act
        await s.waitFor(
          Promise.all([
            a?.send(verdictEvent(x, first, t0 + 20_000)),
            b?.send(verdictEvent(y, second, t0 + 40_000)),
          ]),
        );

        // Assess: what a sequential delivery would show, whichever verdict came in first.
        expectRaceEndsInOrder(shown, [c1, x, c2, y], { first, second });
      }),
      { numRuns: 25 },
    );
  });

  it('a commit resolved as superseded keeps that one status: the range adds none', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        // Prepare: W settled; c1 went pending here; X (after c1) deployed.
        const { graph } = shared.github;
        const [w] = graph.chain(`w-${runs}`, 1);
        const [c1, x] = graph.chain(`pending-${runs}`, 2, w) as [string, string];
        const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
        const clock = { now: Date.now() };
        const [a, b] = containers(s, clock);
        await s.waitFor(a?.send(verdictEvent(w as string, 'success', t0)) as Promise<unknown>);
        await s.waitFor(a?.send(verdictEvent(c1, 'pending', t0 + 10_000)) as Promise<unknown>);

        // Act
        await s.waitFor(b?.send(verdictEvent(x, 'success', t0 + 30_000)) as Promise<unknown>);

        // Assess: pending, then "superseded": one final status, never also "deployed with".
        const finals = shared.github.statusesOf(REPO, c1).filter((status) => status.state !== 'pending');
        expect(finals.map((status) => status.description)).toEqual([
          `superseded by ${x.slice(0, 7)}, deployed with it`,
        ]);
      }),
      { numRuns: 10 },
    );
  });

  it('Flux’s re-sends of a deployment’s verdict leave the carried statuses as the verdict gave them, and a container reads no history for a re-send it knows', async () => {
    const plan = fc.record({
      verdict: fc.constantFrom<Verdict>('success', 'failure'),
      // Which container takes each re-send (the first verdict goes to container a).
      resends: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), plan, async (s, { verdict, resends }) => {
        // Prepare: W settled; then c1 and X, X deployed at second 20.
        const { graph } = shared.github;
        const [w] = graph.chain(`w-${runs}`, 1);
        const [c1, x] = graph.chain(`resend-${runs}`, 2, w) as [string, string];
        const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
        const clock = { now: Date.now() };
        const reads: string[] = [];
        const [a, b] = containers(s, clock, reads);
        await s.waitFor(a?.send(verdictEvent(w as string, 'success', t0)) as Promise<unknown>);

        // Act: the verdict and its re-sends (each a second newer), in any order across both containers.
        await s.waitFor(
          Promise.all([
            a?.send(verdictEvent(x, verdict, t0 + 20_000)),
            ...resends.map((toA, index) =>
              (toA ? a : b)?.send(verdictEvent(x, verdict, t0 + 21_000 + index * 1000)),
            ),
          ]),
        );
        const readsBefore = reads.length;
        const last = await s.waitFor(a?.send(verdictEvent(x, verdict, t0 + 30_000)) as Promise<unknown>);

        // Assess: c1 shows the status X's verdict carried; the last re-send read no history.
        expect(shown(c1)?.description).toMatch(carriedBy(x));
        expect(shown(c1)?.state).toBe(verdict === 'success' ? 'success' : 'error');
        expect(shown(x)?.state).toBe(verdict);
        expect(last).toMatchObject({ outcome: 'duplicate' });
        expect(reads.length).toBe(readsBefore);
      }),
      { numRuns: 15 },
    );
  });
});
