import { describe, expect, it } from 'vitest';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FIXTURES, fixture, sign } from '../harness/flux-fixtures.js';
import { oneGitHubRoute, startTestServer } from '../harness/test-server.js';

/** `npm start` runs the pending sweep on an interval, in place of the stack's schedule. */
describe('the local server’s pending sweep', () => {
  it('writes `error` on a pending whose verdict never came, on its own interval', async () => {
    // Prepare: the fixture's Progressing is months old, so the route's 30 minutes are long past.
    const github = await new FakeGitHub().start();
    const { config, secrets } = oneGitHubRoute(github.url);
    const { url, stop } = await startTestServer(config, secrets, { sweepIntervalMs: 50 });
    const sha = 'a549a44b3316991928c80b3bee0eb916d16c9dcc';
    const shown = () => github.statusesOf('acme/fleet-infra', sha)[0];
    try {
      // Act
      const body = fixture(FIXTURES.progressing);
      const answer = await fetch(`${url}/hooks/prod-eu-1`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-signature': sign(body) },
      });
      for (let i = 0; i < 100 && shown()?.state !== 'error'; i++) {
        await new Promise((done) => setTimeout(done, 50));
      }

      // Assess
      expect(answer.status).toBe(200);
      expect(github.statusesOf('acme/fleet-infra', sha).map((status) => status.state)).toEqual([
        'error',
        'pending',
      ]);
      expect(shown()).toMatchObject({
        state: 'error',
        context: 'kustomization/apps/prod-eu-1',
        description: "no verdict from prod-eu-1 within 30m; see the cluster's kustomize-controller",
      });
    } finally {
      await stop();
      await github.stop();
    }
  });
});
