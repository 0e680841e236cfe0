import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubClient } from '../../functions/forges/github/client.js';
import { parseGitHubAddress } from '../../functions/forges/github/descriptor.js';
import { LoopbackServer } from '../fakes/loopback-server.js';
import { type PrismProcess, startPrism } from '../fakes/prism.js';
import { checkAgainstSpec } from '../fakes/spec-check.js';

/**
 * Deployments, deployment statuses and repository_dispatch, as the fleet environments send them,
 * against GitHub's full official description (`@octokit/openapi`, always installed) under Prism.
 */
const DESCRIPTION = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
const PRISM_START_BUDGET_MS = 150_000;
const SHA = 'df277975d2783b0e7fd4d0487d990bd60442923c';

let prism: PrismProcess;
let proxy: LoopbackServer;
let client: GitHubClient;
const violations: string[] = [];

beforeAll(async () => {
  prism = await startPrism(DESCRIPTION, PRISM_START_BUDGET_MS);
  proxy = await new LoopbackServer(async (request) => {
    const judged = await checkAgainstSpec({ prismUrl: prism.url, extraConstraints: [] }, request);
    violations.push(...judged.violations.map((found) => `${request.method} ${request.path}: ${found}`));
    return judged.response;
  }).start();
  client = new GitHubClient(parseGitHubAddress('https://github.com/acme/fleet-infra', proxy.url), {
    token: 'ghp_contractTestToken',
  });
}, PRISM_START_BUDGET_MS + 10_000);

afterAll(async () => {
  await proxy?.stop();
  await prism?.stop();
});

const deadline = () => Date.now() + 20_000;

describe('GitHub environments contract (Prism, @octokit/openapi api.github.com description)', () => {
  it('sends repository_dispatch with the event type and the promotion payload', async () => {
    const before = proxy.requests.length;

    await client.dispatch(
      'flux-production-ready',
      {
        environment: 'production',
        object: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
        sha: SHA,
        ref: 'main',
        clusters: ['prod-eu-1', 'prod-us-1'],
      },
      { deadline: deadline() },
    );

    const [sent] = proxy.requests.slice(before);
    expect(`${sent?.method} ${sent?.path}`).toBe('POST /repos/acme/fleet-infra/dispatches');
    expect(JSON.parse(sent?.body ?? '{}')).toMatchObject({ event_type: 'flux-production-ready' });
    expect(violations).toEqual([]);
  });

  it('looks a deployment up, creates one, reads and writes its statuses, as the description allows', async () => {
    const before = proxy.requests.length;

    const found = await client.findDeployment(SHA, 'production', { deadline: deadline() });
    const id = await client.createDeployment(
      {
        sha: SHA,
        environment: 'production',
        description: 'Flux: the clusters of production',
        productionEnvironment: true,
      },
      { deadline: deadline() },
    );
    const shows = await client.deploymentShows(id, 'success', '2/2 clusters reconciled', {
      deadline: deadline(),
    });
    await client.createDeploymentStatus(
      id,
      {
        state: 'in_progress',
        description: '1/2 clusters reconciled, 1 progressing',
        environmentUrl: 'https://apps.example.com/production',
        logUrl: `https://github.com/acme/fleet-infra/commit/${SHA}`,
        autoInactive: true,
      },
      { deadline: deadline() },
    );

    // Prism answers with the description's examples: a deployment (id 42) and its statuses.
    expect(typeof found).toBe('number');
    expect(typeof id).toBe('number');
    expect(typeof shows).toBe('boolean');
    expect(proxy.requests.slice(before).map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /repos/acme/fleet-infra/deployments',
      'POST /repos/acme/fleet-infra/deployments',
      `GET /repos/acme/fleet-infra/deployments/${id}/statuses`,
      `POST /repos/acme/fleet-infra/deployments/${id}/statuses`,
    ]);
    expect(violations).toEqual([]);
  });

  it("creates a preview's transient deployment with its preview URL, and sets an older one inactive", async () => {
    const before = proxy.requests.length;

    const id = await client.createDeployment(
      {
        sha: SHA,
        environment: 'preview',
        description: 'Flux: the clusters of preview',
        transientEnvironment: true,
      },
      { deadline: deadline() },
    );
    await client.createDeploymentStatus(
      id,
      {
        state: 'success',
        description: '2/2 clusters reconciled',
        environmentUrl: 'https://pr-12.preview.example.com',
        autoInactive: true,
      },
      { deadline: deadline() },
    );
    await client.createDeploymentStatus(
      id,
      { state: 'inactive', description: 'superseded by 1a2b3c4 of change request #12', autoInactive: false },
      { deadline: deadline() },
    );

    const sent = proxy.requests.slice(before).map((request) => JSON.parse(request.body || '{}'));
    expect(sent[0]).toMatchObject({ environment: 'preview', transient_environment: true });
    expect(sent[1]).toMatchObject({ state: 'success', environment_url: 'https://pr-12.preview.example.com' });
    expect(sent[2]).toMatchObject({ state: 'inactive', auto_inactive: false });
    expect(violations).toEqual([]);
  });

  it('creates a deployment that lists the commits it carried in its payload, as the description allows', async () => {
    const before = proxy.requests.length;

    await client.createDeployment(
      {
        sha: SHA,
        environment: 'production',
        description: `Flux: the clusters of production; 2 commits since ${SHA.slice(0, 7)}`,
        payload: {
          carried: { base: SHA, commits: [SHA.replace(/^./, 'b'), SHA.replace(/^./, 'c')], left: 0 },
        },
      },
      { deadline: deadline() },
    );

    const [sent] = proxy.requests.slice(before);
    expect(`${sent?.method} ${sent?.path}`).toBe('POST /repos/acme/fleet-infra/deployments');
    expect(JSON.parse(sent?.body ?? '{}').payload.carried.commits).toHaveLength(2);
    expect(violations).toEqual([]);
  });

  it('catches a deployment request that breaks the description (the check itself can fail)', async () => {
    const before = violations.length;

    await fetch(`${proxy.url}/repos/acme/fleet-infra/deployments/1/statuses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'token ghp_x' },
      body: JSON.stringify({ state: 'running' }),
    });

    expect(violations.splice(before).some((violation) => /state/.test(violation))).toBe(true);
  });
});
