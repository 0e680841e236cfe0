import { describe, expect, it } from 'vitest';
import { FIXTURES, fixture } from '../harness/flux-fixtures.js';
import { CONTEXT, SHA, useForge } from '../harness/forge-behaviour.js';
import { profile as gitea } from '../harness/forges/gitea.js';
import { apiEvent } from '../harness/relay-harness.js';

const REPO = gitea.repository;

/** Gitea (and Forgejo) through the Lambda handler, on a stateful fake judged by Gitea's description. */
describe('Gitea through the relay', () => {
  const forge = useForge(gitea);

  it('sends the target URL and reads past the first page for its own context', async () => {
    // Prepare: our success, then 120 statuses of other contexts on the same commit.
    const route = forge.route({ targetUrl: 'https://grafana.example.com/d/flux?var-cluster={{cluster}}' });
    await forge.setup({ routes: [route] }).handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    for (let i = 0; i < 120; i++) forge.fake.add(REPO, SHA, { context: `ci/${i}` });
    const before = forge.fake.requests.length;

    // Act
    const response = await forge
      .setup({ routes: [route] })
      .handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(JSON.parse(response.body).outcome).toBe('duplicate');
    expect(forge.fake.statusesOf(REPO, SHA).at(-1)).toMatchObject({
      context: CONTEXT,
      target_url: 'https://grafana.example.com/d/flux?var-cluster=prod-eu-1',
    });
    const pages = forge.fake.requests.slice(before).map((request) => request.query.get('page'));
    expect(pages).toEqual(['1', '2', '3']);
    expect(forge.fake.requests.at(-1)?.query.get('sort')).toBe('highestindex');
  });
});
