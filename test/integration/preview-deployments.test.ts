import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetEnvironment } from '../../functions/config/fleet-environments.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FORGE_TOKEN, fleetRoutes, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

/**
 * A preview environment's GitHub deployments: the object's `preview-url` is the deployment's
 * `environment_url`, a change request's environment is transient, and a newer commit of the change
 * request sets the older one's deployment inactive (GitHub's auto_inactive skips transient ones).
 */

const CLUSTERS = ['preview-1', 'preview-2'];
const BASE = Math.floor(Date.now() / 1000) * 1000 - 600_000;
const PREVIEW: FleetEnvironment = { deployments: true };
let shaCounter = 0;
const nextSha = () => (++shaCounter).toString(16).padStart(40, 'a');

function previewEvent(sha: string, verdict: Verdict, second: number, changeRequest = '12') {
  const event = JSON.parse(verdictEvent(sha, verdict, BASE + second * 1000));
  event.metadata['event.toolkit.fluxcd.io/preview-url'] = `https://pr-${changeRequest}.preview.example.com`;
  event.metadata['event.toolkit.fluxcd.io/change_request'] = changeRequest;
  return JSON.stringify(event);
}

describe('preview deployments', () => {
  const github = new FakeGitHub();
  beforeAll(async () => void (await github.start()));
  afterAll(async () => github.stop());

  function container() {
    const routes = fleetRoutes(github.url, CLUSTERS, { environment: 'production' });
    const { relay } = testRelay(routes, { environments: { production: PREVIEW } });
    const handler = createApiGatewayHandler(relay);
    return async (cluster: string, body: string) => {
      const response = await handler(apiEvent({ route: cluster, body }));
      expect(response.statusCode).toBe(200);
    };
  }

  const latest = (sha: string) =>
    github.deploymentsOf('acme/fleet-infra', sha, 'production').map((each) => ({
      transient: each.transient_environment,
      state: each.statuses[0]?.state,
      url: each.statuses.find((status) => status.state !== 'inactive')?.environment_url,
    }));

  it('links the preview, marks the environment transient, and sets the older commit inactive', async () => {
    const send = container();
    const [older, newer] = [nextSha(), nextSha()];

    for (const cluster of CLUSTERS) await send(cluster, previewEvent(older, 'success', 0));
    const before = latest(older);
    for (const cluster of CLUSTERS) await send(cluster, previewEvent(newer, 'success', 60));

    expect(before).toEqual([{ transient: true, state: 'success', url: 'https://pr-12.preview.example.com' }]);
    expect(latest(newer)).toEqual([
      { transient: true, state: 'success', url: 'https://pr-12.preview.example.com' },
    ]);
    expect(latest(older)).toMatchObject([{ state: 'inactive' }]);
  });

  it('never writes a late report of an older commit over the newer one', async () => {
    const send = container();
    const [older, newer] = [nextSha(), nextSha()];

    await send('preview-1', previewEvent(older, 'pending', 0));
    for (const cluster of CLUSTERS) await send(cluster, previewEvent(newer, 'success', 60));
    await send('preview-2', previewEvent(older, 'success', 10));

    expect(latest(newer)).toMatchObject([{ state: 'success' }]);
    expect(latest(older)).toMatchObject([{ state: 'inactive' }]);
  });

  it('scrubs a forge token from the preview URL before GitHub or a store sees it', async () => {
    const send = container();
    const sha = nextSha();
    const body = JSON.parse(previewEvent(sha, 'success', 0, '13'));
    body.metadata['event.toolkit.fluxcd.io/preview-url'] =
      `https://x-access-token:${FORGE_TOKEN}@pr-13.preview.example.com`;

    for (const cluster of CLUSTERS) await send(cluster, JSON.stringify(body));

    const [deployment] = github.deploymentsOf('acme/fleet-infra', sha, 'production');
    expect(deployment?.statuses[0]?.state).toBe('success');
    expect(JSON.stringify(deployment)).not.toContain(FORGE_TOKEN);
    expect(deployment?.statuses[0]?.environment_url).toMatch(/pr-13\.preview\.example\.com$/);
  });

  it('ends with the newest commit active and every older one inactive, in any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const send = container();
        const shas = [nextSha(), nextSha(), nextSha()];
        const sends = shas.flatMap((sha, index) =>
          CLUSTERS.map((cluster) =>
            s
              .schedule(Promise.resolve(), `${cluster} ${index}`)
              .then(() => send(cluster, previewEvent(sha, 'success', index * 60))),
          ),
        );
        await s.waitAll();
        await Promise.all(sends);

        const [first, second, third] = shas as [string, string, string];
        expect(latest(third)).toMatchObject([{ state: 'success' }]);
        for (const sha of [first, second]) {
          expect(latest(sha).every((each) => each.state === 'inactive')).toBe(true);
        }
      }),
      { numRuns: 15 },
    );
  });
});
