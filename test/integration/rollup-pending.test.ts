import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FleetEnvironment } from '../../functions/config/fleet-environments.js';
import { DynamoDbClusterVerdicts } from '../../functions/ledger/dynamodb-cluster-verdicts.js';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { DynamoDbPendingIndex } from '../../functions/ledger/dynamodb-pending-index.js';
import { DynamoDbRollupLedger } from '../../functions/ledger/dynamodb-rollup-ledger.js';
import type { RollupLedger } from '../../functions/ledger/rollup-ledger.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { testRoute, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';
import { useSharedTable } from '../harness/shared-table.js';

/**
 * A fleet environment's roll-up never stays pending: a newer commit's final roll-up resolves the
 * older ones as superseded, and the sweep resolves one that a cluster never reported, through the
 * relay, on dynalite, with real octokit against a stateful GitHub and a clock the test moves.
 */

const CONTEXT = 'flux/production/kustomization/apps';
const CLUSTERS = ['prod-eu-1', 'prod-us-1'] as const;
const PRODUCTION: FleetEnvironment = {
  context: 'flux/{{environment}}/{{kind}}/{{name}}',
  counts: true,
  promotion: { type: 'repository_dispatch', eventType: 'flux-production-ready' },
};
let counter = 0;
const nextSha = () => (++counter).toString(16).padStart(40, 'd');

const fluxEvent = (sha: string, verdict: Verdict, time: number) =>
  verdictEvent(sha, verdict, time, { message: 'podinfo not ready' });

describe('pending roll-ups of a fleet environment', () => {
  const shared = useSharedTable();

  const rollup = (sha: string) =>
    shared.github.statusesOf('acme/fleet-infra', sha).find((status) => status.context === CONTEXT);
  const dispatchesOf = (sha: string) =>
    shared.github.dispatches.filter((dispatch) => (dispatch.client_payload as { sha?: string }).sha === sha);

  /** A container whose clock the test moves; the two clusters' routes write only the roll-up. */
  function container(clock: { now: number }, rollups?: RollupLedger, clusters: readonly string[] = CLUSTERS) {
    const routes = clusters.map((cluster) =>
      testRoute(shared.github.url, {
        id: cluster,
        cluster,
        environment: 'production',
        clusterStatuses: false,
      }),
    );
    const harness = testRelay(routes, {
      environments: { production: PRODUCTION },
      ledger: new DynamoDbLedger(shared.table, shared.dynamo.clientConfig),
      rollups: rollups ?? new DynamoDbRollupLedger(shared.table, shared.dynamo.clientConfig),
      clusters: new DynamoDbClusterVerdicts(shared.fleetTable, shared.dynamo.clientConfig),
      pending: new DynamoDbPendingIndex(shared.table, shared.dynamo.clientConfig, () => clock.now),
      now: () => clock.now,
    });
    const handler = createApiGatewayHandler(harness.relay);
    return {
      sweep: harness.sweep,
      send: async (cluster: string, sha: string, verdict: Verdict, time: number) =>
        JSON.parse((await handler(apiEvent({ route: cluster, body: fluxEvent(sha, verdict, time) }))).body),
    };
  }

  it('a burst of three commits, only the newest reconciled: the older roll-ups end "superseded", unpromoted', async () => {
    // Prepare: both clusters see the three pushes as Progressing.
    const clock = { now: Date.now() };
    const relay = container(clock);
    const t0 = clock.now - 120_000;
    const [a, b, c] = [nextSha(), nextSha(), nextSha()];
    for (const [index, sha] of [a, b, c].entries()) {
      for (const cluster of CLUSTERS) await relay.send(cluster, sha, 'pending', t0 + index * 10_000);
    }

    // Act: Flux reconciles only the newest, on both clusters.
    for (const cluster of CLUSTERS) await relay.send(cluster, c, 'success', t0 + 60_000);

    // Assess
    expect(rollup(c)).toMatchObject({ state: 'success', description: '2/2 clusters reconciled' });
    for (const sha of [a, b]) {
      expect(rollup(sha)).toMatchObject({
        state: 'success',
        description: `superseded by ${c.slice(0, 7)}, deployed with it; 0/2 clusters reconciled, 2 progressing`,
        target_url: `https://github.com/acme/fleet-infra/commit/${c}`,
      });
      expect(dispatchesOf(sha)).toEqual([]);
    }
    expect(dispatchesOf(c)).toHaveLength(1);
  });

  it('a commit’s own failure counts over "superseded", whichever arrives first; a re-sent success does not', async () => {
    // Prepare: a superseded by b.
    const clock = { now: Date.now() };
    const relay = container(clock);
    const t0 = clock.now - 120_000;
    const [a, b] = [nextSha(), nextSha()];
    for (const cluster of CLUSTERS) await relay.send(cluster, a, 'pending', t0);
    for (const cluster of CLUSTERS) await relay.send(cluster, b, 'success', t0 + 30_000);
    const superseded = rollup(a);

    // Act: a success of a arrives late on one cluster, then a failure, stamped before b's success.
    await relay.send('prod-us-1', a, 'success', t0 + 10_000);
    const afterSuccess = rollup(a);
    await relay.send('prod-eu-1', a, 'failure', t0 + 20_000);

    // Assess: the same verdicts as had they arrived before b's.
    expect(superseded?.state).toBe('success');
    expect(afterSuccess).toMatchObject({
      state: 'success',
      description: expect.stringMatching(
        /^superseded by .*, deployed with it; 1\/2 clusters reconciled, 1 progressing/,
      ),
    });
    expect(rollup(a)).toMatchObject({
      state: 'failure',
      description: expect.stringMatching(/^1\/2 clusters/),
    });
    expect(dispatchesOf(a)).toEqual([]);
  });

  it('a cluster that never reports: error after the timeout, naming it; its late verdict then wins', async () => {
    // Prepare: one cluster succeeds, the other never reports.
    const clock = { now: Date.now() };
    const relay = container(clock);
    const sha = nextSha();
    const t0 = clock.now;
    await relay.send('prod-eu-1', sha, 'success', t0);
    const pending = rollup(sha);

    // Act: the sweep before the timeout, at it, then the missing verdict.
    clock.now = t0 + 29 * 60_000;
    const early = await relay.sweep();
    const beforeTimeout = rollup(sha);
    clock.now = t0 + 31 * 60_000;
    const swept = await relay.sweep();
    const timedOut = rollup(sha);
    await relay.send('prod-us-1', sha, 'success', t0 + 32 * 60_000);

    // Assess
    expect(pending).toMatchObject({
      state: 'pending',
      description: '1/2 clusters reconciled, 1 not reported',
    });
    expect(early.resolved).toBe(0);
    expect(beforeTimeout).toEqual(pending);
    expect(swept.resolved).toBeGreaterThanOrEqual(1);
    expect(timedOut).toMatchObject({
      state: 'error',
      description: 'no verdict from prod-us-1 within 30m; 1/2 clusters reconciled, 1 not reported',
    });
    expect(rollup(sha)).toMatchObject({ state: 'success', description: '2/2 clusters reconciled' });
    expect(dispatchesOf(sha)).toHaveLength(1);
  });

  it('is swept by another route of its environment when the one that kept it pending left the config', async () => {
    // Prepare: prod-eu-1 reports; then the config keeps only prod-us-1 in the environment.
    const clock = { now: Date.now() };
    const sha = nextSha();
    await container(clock).send('prod-eu-1', sha, 'success', clock.now);
    clock.now += 31 * 60_000;

    // Act
    const swept = await container(clock, undefined, ['prod-us-1']).sweep();

    // Assess: resolved, not dropped; the environment is now the one cluster, which never reported.
    expect(swept).toMatchObject({ dropped: 0 });
    expect(rollup(sha)).toMatchObject({
      state: 'error',
      description: 'no verdict from prod-us-1 within 30m; 0/1 clusters reconciled, 1 not reported',
    });
  });

  it('never lets the sweep overwrite a verdict that reached the record first, in any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        // Prepare: one cluster succeeded; the other's verdict and the sweep race, every record
        // read and swap a step of the scheduler.
        const clock = { now: Date.now() };
        const sha = nextSha();
        const t0 = clock.now;
        const store = new DynamoDbRollupLedger(shared.table, shared.dynamo.clientConfig);
        const stepped: RollupLedger = {
          read: (key) => s.schedule(Promise.resolve(), 'read').then(() => store.read(key)),
          swap: (key, version, next) =>
            s.schedule(Promise.resolve(), 'swap').then(() => store.swap(key, version, next)),
        };
        const first = container(clock);
        await first.send('prod-eu-1', sha, 'success', t0);
        clock.now = t0 + 31 * 60_000;
        const racing = container(clock, stepped);

        // Act
        const done = Promise.all([
          racing.send('prod-us-1', sha, 'success', t0 + 60_000),
          container(clock, stepped).sweep(),
        ]);
        await s.waitFor(done);

        // Assess: whichever went first, the verdict stands.
        expect(rollup(sha)).toMatchObject({ state: 'success', description: '2/2 clusters reconciled' });
      }),
      { numRuns: 15 },
    );
  });

  it('ends on the older commit’s own failure whether it races the newer commit’s success or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        // Prepare: a is pending on both clusters; b's success on both (which supersedes a) and a's
        // own failure on prod-eu-1 race, two containers, every record read and swap a step.
        const clock = { now: Date.now() };
        const [a, b] = [nextSha(), nextSha()];
        const t0 = clock.now - 120_000;
        const store = new DynamoDbRollupLedger(shared.table, shared.dynamo.clientConfig);
        const stepped: RollupLedger = {
          read: (key) => s.schedule(Promise.resolve(), 'read').then(() => store.read(key)),
          swap: (key, version, next) =>
            s.schedule(Promise.resolve(), 'swap').then(() => store.swap(key, version, next)),
        };
        const setup = container(clock);
        for (const cluster of CLUSTERS) await setup.send(cluster, a, 'pending', t0);
        const [one, two] = [container(clock, stepped), container(clock, stepped)];

        // Act
        const done = Promise.all([
          (async () => {
            for (const cluster of CLUSTERS) await one.send(cluster, b, 'success', t0 + 30_000);
          })(),
          two.send('prod-eu-1', a, 'failure', t0 + 20_000),
        ]);
        await s.waitFor(done);

        // Assess: the same verdict as in any order of arrival, and no promotion of a.
        expect(rollup(a)?.state).toBe('failure');
        expect(rollup(b)?.state).toBe('success');
        expect(dispatchesOf(a)).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });
});
