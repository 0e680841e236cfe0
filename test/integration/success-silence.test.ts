import { describe, expect, it } from 'vitest';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { useForge } from '../harness/forge-behaviour.js';
import { profile as github } from '../harness/forges/github.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const HOUR = 3600_000;
const GATE =
  /^no success event from prod-eu-1 in (\d+) h: is kustomize-controller's DisableCommitStatusEvent gate on\?$/;

/**
 * Flux 2.9's DisableCommitStatusEvent gate in kustomize-controller: a cluster that turns it on sends
 * Progressing and errors but never a success again, so each of its pendings times out. After a day
 * of that, the sweep's `error` names the gate instead of blaming the commit, and counts the route.
 */
describe('the sweep names a silent success stream', () => {
  const forge = useForge(github);

  function container() {
    // Real time at first, then only forward: forge deadlines are reckoned on this clock.
    const clock = { now: Date.now() };
    const harness = testRelay([forge.route()], { secrets: forge.secrets(), now: () => clock.now });
    const handler = apiGatewayHandler(harness.relay);
    return {
      clock,
      sweep: harness.sweep,
      /** Sends an event stamped with the clock's time, as a cluster would. */
      send: async (sha: string, verdict: Verdict) =>
        (await handler(apiEvent({ body: verdictEvent(sha, verdict, clock.now) }))).statusCode,
      shown: (sha: string) => github.written(forge.fake, sha)[0]?.description,
    };
  }

  it('blames the commit on the first day, and the gate once a day passed without a success', async () => {
    const relay = container();
    expect(await relay.send(A, 'pending')).toBe(200);
    relay.clock.now += 31 * 60_000;
    const first = await relay.sweep();
    expect(relay.shown(A)).toBe(
      "no verdict from prod-eu-1 within 30m; see the cluster's kustomize-controller",
    );
    expect(first.silentRoutes).toBe(0);

    // Errors still come with the gate on; they do not count as a success.
    relay.clock.now += 12 * HOUR;
    expect(await relay.send(B, 'failure')).toBe(200);
    relay.clock.now += 12 * HOUR;
    expect(await relay.send(C, 'pending')).toBe(200);
    relay.clock.now += 31 * 60_000;
    const second = await relay.sweep();

    expect(relay.shown(C)).toMatch(GATE);
    expect(Number(GATE.exec(relay.shown(C) ?? '')?.[1])).toBe(25);
    expect(second).toEqual({ resolved: 1, failed: 0, dropped: 0, silentRoutes: 1 });
  });

  it('keeps blaming the commit while success events still come at least daily', async () => {
    const relay = container();
    expect(await relay.send(A, 'pending')).toBe(200);
    relay.clock.now += 60_000;
    expect(await relay.send(A, 'success')).toBe(200);
    // A steady object's periodic success, with no pending to resolve: it still counts.
    relay.clock.now += 23 * HOUR;
    expect(await relay.send(A, 'success')).toBe(200);
    relay.clock.now += 2 * HOUR;
    expect(await relay.send(C, 'pending')).toBe(200);
    relay.clock.now += 31 * 60_000;

    const swept = await relay.sweep();

    expect(relay.shown(C)).toBe(
      "no verdict from prod-eu-1 within 30m; see the cluster's kustomize-controller",
    );
    expect(swept).toEqual({ resolved: 1, failed: 0, dropped: 0, silentRoutes: 0 });
  });
});
