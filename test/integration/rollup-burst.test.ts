import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../functions/delivery/delivery-record.js';
import { InProcessRecomputes } from '../../functions/fleet/in-process-recomputes.js';
import { DynamoDbClusterVerdicts } from '../../functions/ledger/dynamodb-cluster-verdicts.js';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { DynamoDbRollupLedger } from '../../functions/ledger/dynamodb-rollup-ledger.js';
import { createService } from '../../functions/service/create-service.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { defaultSecrets, fleetRoutes, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent } from '../harness/relay-harness.js';
import { useSharedTable } from '../harness/shared-table.js';

/**
 * A fleet reporting together: 200 clusters of one environment pick up a commit within the same
 * second, each through one of several relays ("containers") sharing the tables on dynalite, and
 * Flux re-sends what was not answered 2xx. One recompute queue serves them all, as the FIFO queue's
 * message group does on AWS.
 */

const CLUSTERS = Array.from({ length: 200 }, (_, index) => `prod-${String(index).padStart(3, '0')}`);
const CONTEXT = 'flux/production/kustomization/apps';
const RELAYS = 4;
const FLUX_ATTEMPTS = 4;
const BASE = Math.floor(Date.now() / 60_000) * 60_000 - 3600_000;

/**
 * Failures other than a forge write that timed out: with 200 reports, dynalite and GitHub in one
 * process on a small machine, a recompute's write can starve; its retry (the queue's) writes it.
 */
const unexpectedFailures = (records: DeliveryRecord[]) =>
  records.filter((record) => record.outcome === 'failed' && record.errorName !== 'ForgeUnavailableError');

describe('a fleet reporting in one burst', () => {
  const shared = useSharedTable();

  function fleet() {
    const routes = fleetRoutes(shared.github.url, CLUSTERS);
    const records: DeliveryRecord[] = [];
    // One consumer for every relay's requests, as the FIFO queue's: the first relay's recompute.
    const recomputes = new InProcessRecomputes(
      (request) => (relays[0] as (typeof relays)[number]).recompute(request),
      { retryDelayMs: 5 },
    );
    const relays = Array.from({ length: RELAYS }, () =>
      createService({
        routes,
        secrets: defaultSecrets(),
        observe: (record) => records.push(record),
        environments: {
          production: {
            context: 'flux/{{environment}}/{{kind}}/{{name}}',
            counts: false,
            promotion: { type: 'repository_dispatch', eventType: 'flux-production-ready' },
          },
        },
        ledger: new DynamoDbLedger(shared.table, shared.dynamo.clientConfig),
        rollups: new DynamoDbRollupLedger(shared.table, shared.dynamo.clientConfig),
        clusters: new DynamoDbClusterVerdicts(shared.fleetTable, shared.dynamo.clientConfig),
        recomputes,
      }),
    );
    const handlers = relays.map(({ relay }) => createApiGatewayHandler(relay));
    /** One report as Flux sends it: again on anything but a 2xx, a few times. */
    async function report(index: number, sha: string, verdict: Verdict, second: number) {
      const cluster = CLUSTERS[index] as string;
      const body = verdictEvent(sha, verdict, BASE + second * 1000, {
        message: `${cluster}: podinfo not ready`,
      });
      const statuses: number[] = [];
      for (let attempt = 0; attempt < FLUX_ATTEMPTS; attempt++) {
        const handler = handlers[(index + attempt) % RELAYS] as (typeof handlers)[number];
        const { statusCode } = await handler(apiEvent({ route: cluster, body }));
        statuses.push(statusCode);
        if (statusCode < 300) break;
      }
      return statuses;
    }
    const burst = (sha: string, verdict: (index: number) => Verdict, second: number) =>
      Promise.all(CLUSTERS.map((_, index) => report(index, sha, verdict(index), second)));
    return { records, recomputes, burst };
  }

  const rollupWrites = (sha: string) =>
    shared.github.statusesOf('acme/fleet-infra', sha).filter((status) => status.context === CONTEXT);

  it('answers every report 2xx at once, and ends on one success with every cluster counted, promoted once', async () => {
    // Prepare
    const { records, recomputes, burst } = fleet();
    const sha = 'f'.repeat(39).concat('1');
    const dispatchesBefore = shared.github.dispatches.length;

    // Act: every cluster progresses, then every cluster succeeds, each within the same second.
    const progressing = await burst(sha, () => 'pending', 0);
    const succeeded = await burst(sha, () => 'success', 30);
    await recomputes.idle();

    // Assess: no report needed Flux's retry, and nothing contended.
    expect(
      [...progressing, ...succeeded].every((statuses) => statuses.length === 1 && statuses[0] === 200),
    ).toBe(true);
    expect(records.filter((record) => record.errorName === 'OrderingContentionError')).toEqual([]);
    expect(unexpectedFailures(records)).toEqual([]);
    const writes = rollupWrites(sha);
    expect(writes.at(-1)).toMatchObject({ state: 'success', description: 'all 200 clusters reconciled' });
    // Written once per state it went through (pending, then success), never once per cluster.
    const states = new Set(writes.map((status) => `${status.state} ${status.description}`));
    expect(writes.length).toBeLessThanOrEqual(states.size);
    expect(states.size).toBeLessThanOrEqual(2);
    expect(shared.github.dispatches.slice(dispatchesBefore)).toMatchObject([
      { event_type: 'flux-production-ready', client_payload: { sha, clusters: CLUSTERS } },
    ]);
  }, 120_000);

  it('says which cluster fails on the next commit, and promotes nothing', async () => {
    // Prepare
    const { records, recomputes, burst } = fleet();
    const sha = 'f'.repeat(39).concat('2');
    const dispatchesBefore = shared.github.dispatches.length;

    // Act: one cluster of the 200 fails the commit.
    const answers = await burst(sha, (index) => (index === 137 ? 'failure' : 'success'), 60);
    await recomputes.idle();

    // Assess
    expect(answers.every((statuses) => statuses.length === 1 && statuses[0] === 200)).toBe(true);
    expect(records.filter((record) => record.errorName === 'OrderingContentionError')).toEqual([]);
    expect(unexpectedFailures(records)).toEqual([]);
    expect(rollupWrites(sha).at(-1)).toMatchObject({
      state: 'failure',
      description: expect.stringMatching(/^failing \(prod-137: health check failed: prod-137: podinfo/),
    });
    expect(shared.github.dispatches.slice(dispatchesBefore)).toEqual([]);
  }, 120_000);
});
