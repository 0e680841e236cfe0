import { describe, expect, it } from 'vitest';
import { InProcessRecomputes } from '../../functions/fleet/in-process-recomputes.js';
import type { RecomputeRequest } from '../../functions/fleet/recompute-request.js';

const request = (rollup: string, sha = 'a'.repeat(40)): RecomputeRequest => ({
  routeId: 'prod-eu-1',
  environment: 'production',
  object: 'Kustomization/flux-system/apps',
  sha,
  context: 'flux/production/kustomization/apps',
  rollup,
});

describe('the local server’s recompute queue', () => {
  it('runs one recompute per roll-up at a time, and the requests that came meanwhile as one more', async () => {
    // Prepare: each run waits until the test lets it end.
    const runs: string[] = [];
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const queue = new InProcessRecomputes(async (asked) => {
      running++;
      most = Math.max(most, running);
      runs.push(asked.rollup);
      await new Promise<void>((done) => releases.push(done));
      running--;
    });

    // Act: five requests of one roll-up while its first run is in flight, one of another roll-up.
    for (let index = 0; index < 5; index++) await queue.request(request('r1'));
    await queue.request(request('r2'));
    releases.shift()?.();
    releases.shift()?.();
    await new Promise((done) => setTimeout(done, 10));
    releases.shift()?.();
    await queue.idle();

    // Assess: r1 twice (its first run, then one for the four that came during it), r2 once beside it.
    expect(runs.sort()).toEqual(['r1', 'r1', 'r2']);
    expect(most).toBe(2);
  });

  it('tries a failed recompute again, and tells of one that fails every attempt', async () => {
    const given: string[] = [];
    let attempts = 0;
    const queue = new InProcessRecomputes(
      async () => {
        attempts++;
        throw new Error('GitHub answered 502');
      },
      { maxAttempts: 3, retryDelayMs: 1, onGiveUp: (reason) => void given.push(reason) },
    );

    await queue.request(request('r1'));
    await queue.idle();

    expect(attempts).toBe(3);
    expect(given).toEqual(['GitHub answered 502']);
  });
});
