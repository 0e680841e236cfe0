import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { startSpecProxy } from '../fakes/spec-proxy.js';
import { eventOf, FIXTURES, fixture, testRoute } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const prism = inject('prism').github;
// These tests judge request shapes, not speed: Prism on a busy 2-core runner can take seconds.
const CONTRACT_BUDGET = { budgetMs: 25_000 };

/** The real handler and octokit against GitHub's official description served by Prism. */
describe.skipIf(prism === undefined)('GitHub contract (Prism, api.github.com description)', () => {
  let proxy: Awaited<ReturnType<typeof startSpecProxy>>;

  beforeAll(async () => {
    proxy = await startSpecProxy('github', prism as string);
  });

  afterAll(async () => {
    await proxy.server.stop();
  });

  it.each([
    ['success', FIXTURES.reconciled],
    ['failure', FIXTURES.healthCheckFailed],
    ['pending', FIXTURES.progressing],
  ])('writes a %s status that GitHub’s description accepts', async (state, name) => {
    // Prepare
    const handler = createApiGatewayHandler(testRelay([testRoute(proxy.url)], CONTRACT_BUDGET).relay);
    const before = proxy.server.requests.length;

    // Act
    const response = await handler(apiEvent({ body: fixture(name) }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ outcome: 'written', state });
    const sent = proxy.server.requests.slice(before);
    expect(sent.map((request) => request.method)).toEqual(['GET', 'POST']);
    expect(JSON.parse(sent[1]?.body ?? '{}')).toMatchObject({
      state,
      context: 'kustomization/apps/prod-eu-1',
    });
    expect(proxy.violations).toEqual([]);
  });

  it('writes the pending sweep’s `error` as GitHub’s description accepts', async () => {
    // Prepare: the fixture's Progressing is months old, so its 30 minutes are long past.
    const { relay, sweep } = testRelay([testRoute(proxy.url)], CONTRACT_BUDGET);
    await createApiGatewayHandler(relay)(apiEvent({ body: fixture(FIXTURES.progressing) }));
    const before = proxy.server.requests.length;

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ resolved: 1, failed: 0, dropped: 0, silentRoutes: 0 });
    const posted = proxy.server.requests.slice(before).filter((request) => request.method === 'POST');
    expect(posted.map((request) => JSON.parse(request.body))).toMatchObject([
      {
        state: 'error',
        context: 'kustomization/apps/prod-eu-1',
        description: "no verdict from prod-eu-1 within 30m; see the cluster's kustomize-controller",
      },
    ]);
    expect(proxy.violations).toEqual([]);
  });

  it('keeps a long failure description within the limit GitHub enforces', async () => {
    const event = eventOf(FIXTURES.healthCheckFailed);
    event.message = 'y'.repeat(1000);
    const handler = createApiGatewayHandler(testRelay([testRoute(proxy.url)], CONTRACT_BUDGET).relay);

    const response = await handler(apiEvent({ body: JSON.stringify(event) }));

    expect(response.statusCode).toBe(200);
    expect(proxy.violations).toEqual([]);
  });

  it('catches a request that breaks the description (the check itself can fail)', async () => {
    const before = proxy.violations.length;

    await fetch(`${proxy.url}/repos/acme/fleet-infra/statuses/${'a'.repeat(40)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'token t' },
      body: JSON.stringify({ state: 'succeeded', description: 'z'.repeat(141) }),
    });

    const found = proxy.violations.slice(before);
    proxy.violations.length = before;
    expect(found.some((violation) => /state/.test(violation))).toBe(true);
    expect(found.some((violation) => /description: 141 characters/.test(violation))).toBe(true);
  });
});
