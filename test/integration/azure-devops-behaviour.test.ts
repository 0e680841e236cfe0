import { describe, expect, it } from 'vitest';
import { canReadRange } from '../../functions/forges/commit-range.js';
import { credentialsFromSecret } from '../../functions/forges/credentials.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import { eventOf, FIXTURES, fixture } from '../harness/flux-fixtures.js';
import { CONTEXT, SHA, useForge } from '../harness/forge-behaviour.js';
import { profile as azureDevOps } from '../harness/forges/azuredevops.js';
import { apiEvent } from '../harness/relay-harness.js';

const REPO = azureDevOps.repository;

/** Azure DevOps through the Lambda handler, on a stateful fake judged by Azure's description. */
describe('Azure DevOps through the relay', () => {
  const forge = useForge(azureDevOps);

  it('names the status fluxcd, or fluxcd:<summary>, and sends api-version=7.1 on every call', async () => {
    const event = eventOf(FIXTURES.reconciled);
    event.metadata.summary = 'prod-eu-1 apps';

    await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    await forge.setup().handler(apiEvent({ body: JSON.stringify(event) }));

    expect(forge.fake.statusesOf(REPO, SHA).map((status) => status.context)).toEqual([
      { name: CONTEXT, genre: 'fluxcd:prod-eu-1 apps' },
      { name: CONTEXT, genre: 'fluxcd' },
    ]);
    expect(forge.fake.requests.every((request) => request.query.get('api-version') === '7.1')).toBe(true);
  });

  it('compares with the newest status of its genre and name, wherever the list puts it', async () => {
    // Prepare: our success, later our error, and 150 statuses of other genres in between.
    await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    for (let i = 0; i < 150; i++) forge.fake.add(REPO, SHA, { context: { name: `build/${i}`, genre: 'ci' } });
    forge.fake.add(REPO, SHA, {
      state: 'error',
      description: 'broken',
      context: { name: CONTEXT, genre: 'fluxcd' },
    });

    // Act: a fresh container sees the success again, which is no longer the newest.
    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(JSON.parse(response.body).outcome).toBe('written');
    expect(forge.fake.statusesOf(REPO, SHA)[0]).toMatchObject({
      state: 'succeeded',
      context: { name: CONTEXT },
    });
    const skips = forge.fake.requests
      .filter((request) => request.method === 'GET')
      .map((r) => r.query.get('skip'));
    expect(skips.slice(-2)).toEqual(['0', '100']);
  });

  it('writes a failure as error, as Flux does, or as failed when the route asks for it', async () => {
    const failing = fixture(FIXTURES.healthCheckFailed);
    const failed = forge.route({
      id: 'failed',
      provider: {
        type: 'azuredevops',
        secret: 'test/forge',
        ...azureDevOps.provider(forge.fake),
        failureState: 'failed',
      },
    });

    await forge.setup().handler(apiEvent({ body: failing }));
    await forge.setup({ routes: [failed] }).handler(apiEvent({ route: 'failed', body: failing }));

    const states = forge.fake
      .statusesOf(REPO, 'a549a44b3316991928c80b3bee0eb916d16c9dcc')
      .map((status) => status.state);
    expect(states).toEqual(['failed', 'error']);
  });
});

describe('Azure DevOps commit ranges, whichever way commitsbatch walks', () => {
  const forge = useForge(azureDevOps);

  it('reads base..head when the service walks from itemVersion instead', async () => {
    // Prepare: the description leaves the direction open; this service walks the other way.
    forge.fake.walksFrom = 'itemVersion';
    const [base] = forge.fake.graph.chain('base', 1);
    const [c1, c2, head] = forge.fake.graph.chain('burst', 3, base);
    const client = await createForgeClient(forge.route().provider, credentialsFromSecret(azureDevOps.secret));
    if (!canReadRange(client)) throw new Error('Azure DevOps reads no commit ranges');

    // Act
    const range = await client.commitRange(base as string, head as string, {
      limit: 50,
      deadline: Date.now() + 10_000,
    });
    const rollback = await client.commitRange(head as string, base as string, {
      limit: 50,
      deadline: Date.now() + 10_000,
    });

    // Assess
    expect(range).toEqual({ descends: true, commits: [c2, c1], left: 0, more: false });
    expect(rollback.descends).toBe(false);
  });
});
