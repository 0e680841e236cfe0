import fc from 'fast-check';
import { expect } from 'vitest';
import type { Verdict } from './flux-fixtures.js';

/**
 * The two orders a range's statuses must survive (functions/ranges/), for a route's statuses and a
 * roll-up's alike: a commit's own late verdict inside the range, and a second, newer deployment
 * racing the first. `shown(sha)` is what the forge shows on the context under test.
 */
type Shown = (sha: string) => { state: string; description?: string | null } | undefined;

const carriedBy = (sha: string) => new RegExp(`^deployed with ${sha.slice(0, 7)}`);
const carried = (verdict: Verdict) => (verdict === 'success' ? 'success' : 'error');

/** The commit's own verdict, before or after the deployment's verdict (at second 30). */
export const ownVerdictPlan = fc.record({
  own: fc.constantFrom<Verdict>('success', 'failure'),
  deployed: fc.constantFrom<Verdict>('success', 'failure'),
  ownSecond: fc.constantFrom(20, 40),
});

/** W, then c1, c2 and X pushed together and X deployed; c1's own verdict wins, c2 shows X's. */
export function expectOwnVerdictWins(
  shown: Shown,
  [c1, c2, x]: readonly [string, string, string],
  { own, deployed }: { own: Verdict; deployed: Verdict },
) {
  expect(shown(c1)?.state).toBe(own);
  expect(shown(c1)?.description).not.toMatch(/^deployed with/);
  expect(shown(c2)?.description).toMatch(carriedBy(x));
  expect(shown(c2)?.state).toBe(carried(deployed));
  expect(shown(x)?.state).toBe(deployed);
}

export const racePlan = fc.record({
  first: fc.constantFrom<Verdict>('success', 'failure'),
  second: fc.constantFrom<Verdict>('success', 'failure'),
});

/** W, then c1, X, c2, Y, X deployed before Y: what a sequential delivery shows, in any order. */
export function expectRaceEndsInOrder(
  shown: Shown,
  [c1, x, c2, y]: readonly [string, string, string, string],
  { first, second }: { first: Verdict; second: Verdict },
) {
  expect(shown(x)?.state).toBe(first);
  expect(shown(y)?.state).toBe(second);
  expect(shown(c1)?.description).toMatch(carriedBy(x));
  expect(shown(c1)?.state).toBe(carried(first));
  expect(shown(c2)?.description).toMatch(carriedBy(y));
  expect(shown(c2)?.state).toBe(carried(second));
}

export { carriedBy };
