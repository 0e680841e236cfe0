import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetEnvironment } from '../../functions/config/fleet-environments.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { testRoute, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

/** What an answer says was written, against what the forge shows. */

const SHA = 'a'.repeat(40);
const CLUSTER_CONTEXT = 'kustomization/apps/prod-eu-1';
const ROLLUP_CONTEXT = 'flux/production/kustomization/apps';

describe('the answer to an event of a fleet environment', () => {
  let github: FakeGitHub;

  beforeEach(async () => {
    github = await new FakeGitHub().start();
  });

  afterEach(async () => {
    await github.stop();
  });

  async function send(clusterStatuses: boolean, environment: Partial<FleetEnvironment> = {}) {
    const route = testRoute(github.url, { environment: 'production', clusterStatuses });
    const production = { context: 'flux/{{environment}}/{{kind}}/{{name}}', counts: true, ...environment };
    const { relay } = testRelay([route], { environments: { production } });
    const body = verdictEvent(SHA, 'success', Date.now() - 1000);
    const answer = await createApiGatewayHandler(relay)(apiEvent({ body }));
    return { statusCode: answer.statusCode, body: JSON.parse(answer.body) };
  }

  const onGitHub = () =>
    github
      .statusesOf('acme/fleet-infra', SHA)
      .map((status) => status.context)
      .sort();

  it('reports the cluster status and the roll-up, each with its own outcome', async () => {
    const answer = await send(true);

    expect(answer.statusCode).toBe(200);
    expect(answer.body).toMatchObject({ outcome: 'written', context: CLUSTER_CONTEXT, state: 'success' });
    expect(answer.body.statuses).toEqual([
      {
        status: 'cluster',
        context: CLUSTER_CONTEXT,
        state: 'success',
        description: 'reconciliation succeeded',
        outcome: 'written',
      },
      // The roll-up is its consumer's to write, after the answer: the answer tells the report's fate.
      { status: 'rollup', context: ROLLUP_CONTEXT, outcome: 'written', report: 'changed' },
    ]);
    expect(onGitHub()).toEqual([ROLLUP_CONTEXT, CLUSTER_CONTEXT].sort());
  });

  it('with clusterStatuses false, names the roll-up it reported to and no cluster context, which it never wrote', async () => {
    const answer = await send(false);

    expect(answer.body).toMatchObject({ outcome: 'recorded', context: ROLLUP_CONTEXT });
    expect(answer.body).not.toHaveProperty('state');
    expect(answer.body.statuses).toEqual([
      { status: 'rollup', context: ROLLUP_CONTEXT, outcome: 'recorded', report: 'changed' },
    ]);
    expect(JSON.stringify(answer.body)).not.toContain(CLUSTER_CONTEXT);
    expect(onGitHub()).toEqual([ROLLUP_CONTEXT]);
  });

  it('says nothing was written when no roll-up counts the object and the route writes no cluster status', async () => {
    const answer = await send(false, { objects: { kinds: ['HelmRelease'] } });

    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual({
      outcome: 'skipped',
      route: 'test',
      sha: SHA,
      statuses: [],
      reason: expect.stringMatching(
        /clusterStatuses: false.*no roll-up of environment production counts this object/,
      ),
    });
    expect(onGitHub()).toEqual([]);
  });
});
