import { describe, expect, it } from 'vitest';
import { specCheckFor } from '../fakes/fake-forge.js';
import { FakeGitLab } from '../fakes/fake-gitlab.js';
import { eventOf, FIXTURES, fixture, testRoute } from '../harness/flux-fixtures.js';
import { CONTEXT, OTHER_SHA, SHA, useForge } from '../harness/forge-behaviour.js';
import { profile as gitlab } from '../harness/forges/gitlab.js';
import { apiEvent } from '../harness/relay-harness.js';

const PROJECT = gitlab.repository;

/** GitLab through the Lambda handler, on a stateful fake that GitLab's own description judges. */
describe('GitLab through the relay', () => {
  const forge = useForge(gitlab);

  it('sends the branch of the revision as ref, on the URL-encoded project path', async () => {
    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(200);
    const write = forge.fake.writes[0];
    expect(write?.path).toBe(`/api/v4/projects/acme%2Fplatform%2Ffleet-infra/statuses/${SHA}`);
    expect(JSON.parse(write?.body ?? '{}')).toMatchObject({ state: 'success', name: CONTEXT, ref: 'main' });
    expect(forge.fake.statusesOf(PROJECT, SHA)[0]?.ref).toBe('main');
  });

  it('cuts a long failure description to GitLab’s 255 characters rather than have it refused', async () => {
    const event = eventOf(FIXTURES.healthCheckFailed);
    event.message = `health check failed: ${'deployment not ready; '.repeat(20)}`;
    const body = JSON.stringify(event);

    const response = await forge.setup().handler(apiEvent({ body }));

    expect(response.statusCode).toBe(200);
    const description = forge.fake.statusesOf(PROJECT, OTHER_SHA)[0]?.description ?? '';
    expect(Array.from(description)).toHaveLength(255);
    expect(description.endsWith('…')).toBe(true);
  });

  it('treats GitLab’s 400 "Cannot transition status" as already done', async () => {
    // Prepare: the same running status, as another container wrote it, with another description.
    await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.progressing) }));
    const status = forge.fake.statusesOf(PROJECT, OTHER_SHA)[0];
    if (status !== undefined) status.description = 'an older wording';
    const { handler, records } = forge.setup();

    // Act
    const response = await handler(apiEvent({ body: fixture(FIXTURES.progressing) }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).outcome).toBe('duplicate');
    expect(records[0]).toMatchObject({ outcome: 'duplicate', forgeStatus: 400 });
    expect(forge.fake.statusesOf(PROJECT, OTHER_SHA)).toHaveLength(1);
  });

  it('asks GitLab for its own name and ref only, newest first, 100 a page', async () => {
    // Prepare: our success, then 150 statuses of other jobs on the same commit.
    await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    for (let i = 0; i < 150; i++) forge.fake.add(PROJECT, SHA, { name: `job/${i}` });
    const before = forge.fake.requests.length;

    // Act: a fresh container sees the same success again.
    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(JSON.parse(response.body).outcome).toBe('duplicate');
    const read = forge.fake.requests.slice(before);
    expect(read).toHaveLength(1);
    expect(Object.fromEntries(read[0]?.query ?? [])).toMatchObject({
      name: CONTEXT,
      ref: 'main',
      order_by: 'id',
      sort: 'desc',
      per_page: '100',
      page: '1',
    });
  });

  it('reads on past the first page when GitLab does not filter by name', async () => {
    // Prepare: a GitLab that lists every status of the commit; ours is behind 150 newer ones.
    await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    for (let i = 0; i < 150; i++) forge.fake.add(PROJECT, SHA, { name: `job/${i}` });
    forge.fake.filtersByName = false;
    const before = forge.fake.requests.length;

    // Act
    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(JSON.parse(response.body).outcome).toBe('duplicate');
    expect(forge.fake.requests.slice(before).map((request) => request.query.get('page'))).toEqual(['1', '2']);
  });

  it('leaves out a target URL longer than GitLab’s 255 characters rather than be refused', async () => {
    const route = forge.route({ targetUrl: `https://grafana.example.com/d/flux?q=${'x'.repeat(300)}` });

    const response = await forge
      .setup({ routes: [route] })
      .handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(forge.fake.writes[0]?.body ?? '{}').target_url).toBeUndefined();
  });

  it('reaches a project by numeric id, and a self-hosted GitLab under a sub-path', async () => {
    const fake = await new FakeGitLab(specCheckFor('gitlab', '/gitlab'), '/gitlab').start();
    try {
      const byId = testRoute('', {
        id: 'by-id',
        provider: {
          type: 'gitlab',
          secret: 'test/forge',
          address: 'https://gitlab.com/4242',
          apiUrl: `${fake.url}/gitlab`,
        },
      });
      const subPath = testRoute('', {
        id: 'sub-path',
        provider: {
          type: 'gitlab',
          secret: 'test/forge',
          address: `${fake.url}/gitlab/acme/fleet-infra.git`,
          apiUrl: `${fake.url}/gitlab`,
        },
      });
      const { handler } = forge.setup({ routes: [byId, subPath] });

      const answers = await Promise.all(
        ['by-id', 'sub-path'].map((route) =>
          handler(apiEvent({ route, body: fixture(FIXTURES.reconciled) })),
        ),
      );

      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
      expect(fake.statusesOf('4242', SHA)).toHaveLength(1);
      expect(fake.statusesOf('acme/fleet-infra', SHA)).toHaveLength(1);
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.stop();
    }
  });
});
