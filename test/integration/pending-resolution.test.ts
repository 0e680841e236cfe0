import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../functions/delivery/delivery-record.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import type { SpecCheckedFake } from '../fakes/fake-forge.js';
import { type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { CONTEXT, type ForgeProfile, useForge } from '../harness/forge-behaviour.js';
import { profile as azureDevOps } from '../harness/forges/azuredevops.js';
import { profile as bitbucket } from '../harness/forges/bitbucket.js';
import { profile as bitbucketServer } from '../harness/forges/bitbucketserver.js';
import { profile as gitea } from '../harness/forges/gitea.js';
import { profile as github } from '../harness/forges/github.js';
import { profile as gitlab } from '../harness/forges/gitlab.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

/**
 * Both resolutions of a pending status, on every forge's stateful fake (each request judged by the
 * forge's official description when Prism serves it), through the Lambda handler with a clock the
 * test moves: superseded commits of a burst, and the sweep's `error` for a verdict that never came.
 */

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

const PROFILES: Array<ForgeProfile<SpecCheckedFake>> = [
  github,
  gitlab,
  gitea,
  bitbucket,
  bitbucketServer,
  azureDevOps,
] as unknown as Array<ForgeProfile<SpecCheckedFake>>;

describe.each(PROFILES.map((profile) => [profile.type, profile] as const))(
  'pending statuses on %s',
  (_, profile) => {
    const forge = useForge(profile);

    /** A container with a clock the test moves; `start` is real time, so forge deadlines hold. */
    function container(overrides: Parameters<typeof forge.route>[0] = {}) {
      const clock = { now: Date.now() };
      const harness = testRelay([forge.route(overrides)], { secrets: forge.secrets(), now: () => clock.now });
      const handler = apiGatewayHandler(harness.relay);
      return {
        clock,
        records: harness.records as DeliveryRecord[],
        sweep: harness.sweep,
        send: async (sha: string, verdict: Verdict, time: number) =>
          JSON.parse((await handler(apiEvent({ body: verdictEvent(sha, verdict, time) }))).body),
      };
    }
    const latest = (sha: string) => profile.written(forge.fake, sha)[0];

    it('a burst of three commits, only the newest reconciled: the two older end "superseded"', async () => {
      // Prepare: three pushes within a minute, each Progressing; Flux reconciles only the newest.
      const relay = container();
      const t0 = relay.clock.now - 120_000;
      await relay.send(A, 'pending', t0);
      await relay.send(B, 'pending', t0 + 20_000);
      await relay.send(C, 'pending', t0 + 40_000);

      // Act
      const answer = await relay.send(C, 'success', t0 + 60_000);

      // Assess
      expect(answer.outcome).toBe('written');
      for (const sha of [A, B]) {
        expect(latest(sha)).toMatchObject({
          state: profile.states.success,
          name: CONTEXT,
          description: 'superseded by ccccccc, deployed with it',
        });
      }
      expect(latest(C)).toMatchObject({
        state: profile.states.success,
        description: 'reconciliation succeeded',
      });
      const resolutions = relay.records.filter((record) => record.resolution === 'superseded');
      expect(resolutions.map((record) => [record.sha, record.outcome])).toEqual([
        [A, 'written'],
        [B, 'written'],
      ]);
      // Nothing is left for the sweep, however late it runs.
      relay.clock.now += 24 * 3600_000;
      expect(await relay.sweep()).toEqual({ resolved: 0, failed: 0, dropped: 0, silentRoutes: 0 });
    });

    it('a newer commit that failed leaves the older one in `error`, not green', async () => {
      const relay = container();
      const t0 = relay.clock.now - 60_000;
      await relay.send(A, 'pending', t0);

      await relay.send(B, 'failure', t0 + 30_000);

      expect(latest(A)).toMatchObject({
        state: profile.states.error,
        description: 'superseded by bbbbbbb, which failed; not verified on its own',
      });
    });

    it('a verdict never comes: `error` after the timeout, and a late verdict replaces it', async () => {
      // Prepare
      const relay = container();
      const since = relay.clock.now - 10_000;
      await relay.send(A, 'pending', since);
      relay.clock.now += 29 * 60_000;
      const early = await relay.sweep();

      // Act: past the route's 30 minutes.
      relay.clock.now += 2 * 60_000;
      const swept = await relay.sweep();
      const timedOut = latest(A);
      const late = await relay.send(A, 'success', since + 60_000);

      // Assess
      expect(early).toEqual({ resolved: 0, failed: 0, dropped: 0, silentRoutes: 0 });
      expect(swept).toEqual({ resolved: 1, failed: 0, dropped: 0, silentRoutes: 0 });
      expect(timedOut).toMatchObject({
        state: profile.states.error,
        name: CONTEXT,
        description: "no verdict from prod-eu-1 within 30m; see the cluster's kustomize-controller",
      });
      expect(late.outcome).toBe('written');
      expect(latest(A)).toMatchObject({
        state: profile.states.success,
        description: 'reconciliation succeeded',
      });
    });

    it('a resolution the forge refuses for good is dropped with its reason; a passing fault stays due', async () => {
      // Prepare: two commits pending past the timeout; the forge is down for a moment.
      const relay = container();
      const since = relay.clock.now - 10_000;
      await relay.send(A, 'pending', since);
      await relay.send(B, 'pending', since + 1000);
      relay.clock.now += 31 * 60_000;
      for (let i = 0; i < 3; i++) forge.fake.script.push({ status: 503, body: { message: 'down' } });
      const outage = await relay.sweep();
      forge.fake.script.push({ status: 422, body: { message: 'refused' } });

      // Act
      const refused = await relay.sweep();
      const after = await relay.sweep();

      // Assess: the outage failed the first (left due) and not the second; then the first was
      // refused for good, and no later sweep tries it again.
      expect(outage).toEqual({ resolved: 1, failed: 1, dropped: 0, silentRoutes: 0 });
      expect(refused).toEqual({ resolved: 0, failed: 0, dropped: 1, silentRoutes: 0 });
      expect(after).toEqual({ resolved: 0, failed: 0, dropped: 0, silentRoutes: 0 });
      const dropped = relay.records.find((record) => record.reason?.endsWith('the resolution is dropped'));
      expect(dropped).toMatchObject({ outcome: 'failed', resolution: 'timeout', forgeStatus: 422 });
    });

    it('a route with pendingTimeout false stays pending', async () => {
      const relay = container({ pendingTimeout: false });
      await relay.send(A, 'pending', relay.clock.now - 10_000);

      relay.clock.now += 7 * 24 * 3600_000;

      expect(await relay.sweep()).toEqual({ resolved: 0, failed: 0, dropped: 0, silentRoutes: 0 });
      expect(latest(A)).toMatchObject({ state: profile.states.pending });
    });
  },
);
