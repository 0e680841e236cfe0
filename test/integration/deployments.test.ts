import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { FleetEnvironment } from '../../functions/config/fleet-environments.js';
import { deploymentRecordKey } from '../../functions/fleet/deployment-delivery.js';
import { DynamoDbClusterVerdicts } from '../../functions/ledger/dynamodb-cluster-verdicts.js';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { DynamoDbRollupLedger } from '../../functions/ledger/dynamodb-rollup-ledger.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { fleetRoutes, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';
import { useSharedTable } from '../harness/shared-table.js';

/** GitHub Deployments on a stateful GitHub: one per commit and environment, reused, auto_inactive. */

const CLUSTERS = ['prod-eu-1', 'prod-us-1'];
const BASE = Math.floor(Date.now() / 1000) * 1000 - 600_000;
let shaCounter = 0;
const nextSha = () => (++shaCounter).toString(16).padStart(40, 'd');

const fluxEvent = (sha: string, verdict: Verdict, second: number, name = 'apps') =>
  verdictEvent(sha, verdict, BASE + second * 1000, { name });

const PRODUCTION: FleetEnvironment = {
  context: 'flux/{{environment}}/{{kind}}/{{name}}',
  counts: true,
  deployments: {
    environmentUrl: 'https://apps.example.com/{{environment}}',
    logUrl: 'https://github.com/acme/fleet-infra/commit/{{sha}}',
    autoInactive: true,
  },
};

describe('GitHub Deployments of a fleet environment', () => {
  const shared = useSharedTable();

  /** A container sharing the table; a send retries a 5xx as Flux does. */
  function container() {
    const routes = fleetRoutes(shared.github.url, CLUSTERS);
    const { relay } = testRelay(routes, {
      environments: { production: PRODUCTION },
      ledger: new DynamoDbLedger(shared.table, shared.dynamo.clientConfig),
      rollups: new DynamoDbRollupLedger(shared.table, shared.dynamo.clientConfig),
      clusters: new DynamoDbClusterVerdicts(shared.fleetTable, shared.dynamo.clientConfig),
    });
    const handler = apiGatewayHandler(relay);
    return async (cluster: string, body: string) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const answer = JSON.parse((await handler(apiEvent({ route: cluster, body }))).body);
        if (answer.error === undefined) return answer;
        await new Promise((done) => setTimeout(done, 50));
      }
      throw new Error('the delivery kept failing');
    };
  }

  const states = (sha: string) =>
    shared.github
      .deploymentsOf('acme/fleet-infra', sha, 'production')
      .map((deployment) => deployment.statuses.map((status) => status.state));

  it('creates one deployment per commit, writes in_progress then success, and reuses it on repeats', async () => {
    // Prepare
    const send = container();
    const sha = nextSha();

    // Act
    for (const cluster of CLUSTERS) await send(cluster, fluxEvent(sha, 'pending', 0));
    await send('prod-eu-1', fluxEvent(sha, 'success', 10));
    const halfway = states(sha);
    await send('prod-us-1', fluxEvent(sha, 'success', 10));
    const requestsBefore = shared.github.writes.length;
    for (const cluster of CLUSTERS) await send(cluster, fluxEvent(sha, 'success', 20));

    // Assess: one deployment, its statuses newest first, each a change of state or description (the
    // count); the re-sends wrote nothing at all.
    expect(halfway).toHaveLength(1);
    expect(new Set(halfway[0])).toEqual(new Set(['in_progress']));
    expect(states(sha)[0]?.[0]).toBe('success');
    const [deployment] = shared.github.deploymentsOf('acme/fleet-infra', sha, 'production');
    const texts = deployment?.statuses.map((status) => `${status.state} ${status.description}`) ?? [];
    expect(texts).toEqual([
      'success 2/2 clusters reconciled',
      'in_progress 1/2 clusters reconciled, 1 progressing',
      'in_progress 0/2 clusters reconciled, 2 progressing',
      'in_progress 0/2 clusters reconciled, 1 progressing, 1 not reported',
    ]);
    expect(deployment).toMatchObject({ sha, environment: 'production' });
    expect(deployment?.statuses[0]).toMatchObject({
      description: '2/2 clusters reconciled',
      environment_url: 'https://apps.example.com/production',
      log_url: `https://github.com/acme/fleet-infra/commit/${sha}`,
    });
    expect(shared.github.writes.length).toBe(requestsBefore);
  });

  it('follows every object of the environment, and marks the previous commit inactive on success', async () => {
    // Prepare
    const send = container();
    const previous = nextSha();
    for (const cluster of CLUSTERS) await send(cluster, fluxEvent(previous, 'success', 30));
    const sha = nextSha();

    // Act: two objects; one fails on one cluster, then recovers.
    for (const cluster of CLUSTERS) await send(cluster, fluxEvent(sha, 'success', 40, 'apps'));
    await send('prod-eu-1', fluxEvent(sha, 'failure', 40, 'infra'));
    const failing = shared.github.deploymentsOf('acme/fleet-infra', sha, 'production')[0]?.statuses[0];
    await send('prod-eu-1', fluxEvent(sha, 'success', 50, 'infra'));
    await send('prod-us-1', fluxEvent(sha, 'success', 50, 'infra'));

    // Assess
    expect(failing).toMatchObject({
      state: 'failure',
      description: '1/2 objects reconciled, failing: flux/production/kustomization/infra',
    });
    expect(states(sha)).toHaveLength(1);
    expect(states(sha)[0]?.[0]).toBe('success');
    expect(states(previous)[0]?.slice(0, 2)).toEqual(['inactive', 'success']);
    expect(states(previous)[0]?.filter((state) => state === 'inactive')).toHaveLength(1);
  });

  it('writes a newer deployment status after its record expired, instead of losing to the old claims', async () => {
    // Prepare: the commit deployed, then its deployment record leaves the table (DynamoDB's TTL).
    const send = container();
    const sha = nextSha();
    for (const cluster of CLUSTERS) await send(cluster, fluxEvent(sha, 'success', 60));
    const [route] = fleetRoutes(shared.github.url, CLUSTERS);
    const key = deploymentRecordKey(route as NonNullable<typeof route>, sha, 'production');
    await shared.dynamo.client.send(
      new DeleteItemCommand({ TableName: shared.table, Key: { id: { S: key } } }),
    );

    // Act: a redeployment of the commit fails on one cluster.
    await send('prod-eu-1', fluxEvent(sha, 'failure', 70));

    // Assess
    expect(states(sha)).toHaveLength(1);
    expect(states(sha)[0]?.[0]).toBe('failure');
  });

  it('creates one deployment when two containers deliver the first events of a commit at once', async () => {
    for (let round = 0; round < 5; round++) {
      // Prepare
      const [a, b] = [container(), container()];
      const sha = nextSha();

      // Act
      await Promise.all([
        a('prod-eu-1', fluxEvent(sha, 'pending', 0)),
        b('prod-us-1', fluxEvent(sha, 'pending', 0)),
        a('prod-us-1', fluxEvent(sha, 'success', 5)),
        b('prod-eu-1', fluxEvent(sha, 'success', 5)),
      ]);

      // Assess
      expect(shared.github.deploymentsOf('acme/fleet-infra', sha, 'production')).toHaveLength(1);
      expect(states(sha)[0]?.[0]).toBe('success');
    }
  });

  it('lists the commits it carried since the environment’s last deployment in its payload and description', async () => {
    // Prepare: the environment runs W; c1, c2 and X are pushed together and X is deployed.
    const send = container();
    const [w] = shared.github.graph.chain('deployed-w', 1) as [string];
    const [c1, c2, x] = shared.github.graph.chain('shipped', 3, w) as [string, string, string];
    for (const cluster of CLUSTERS) await send(cluster, fluxEvent(w, 'success', 100));

    // Act
    for (const cluster of CLUSTERS) await send(cluster, fluxEvent(x, 'pending', 110));
    for (const cluster of CLUSTERS) await send(cluster, fluxEvent(x, 'success', 120));

    // Assess: W's deployment carried nothing known; X's lists c2 and c1, newest first.
    const [first] = shared.github.deploymentsOf('acme/fleet-infra', w, 'production');
    const [deployment] = shared.github.deploymentsOf('acme/fleet-infra', x, 'production');
    expect(first?.payload).toEqual({});
    expect(deployment?.payload).toEqual({ carried: { base: w, commits: [c2, c1], left: 0 } });
    expect(deployment?.description).toBe(
      `Flux: the clusters of production; 2 commits since ${w.slice(0, 7)}`,
    );
    expect(deployment?.statuses[0]?.state).toBe('success');
  });
});
