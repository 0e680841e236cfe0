import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advance,
  type ClusterVerdict,
  clustersWithoutVerdict,
  rollupOf,
  rollupOfRecord,
  verdictsDigest,
} from '../../functions/fleet/rollup.js';
import { eventOrder } from '../../functions/ledger/status-ledger.js';

const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'prod-us-2'];
type Reported = 'pending' | 'success' | 'failure' | 'missing';
const REPORTED: Reported[] = ['pending', 'success', 'failure', 'missing'];

function verdict(
  state: Exclude<Reported, 'missing'>,
  time = 0,
  description = `${state} text`,
): ClusterVerdict {
  return { order: eventOrder(time, { state, description, targetUrl: '' }), state, description };
}

/** Every combination of pending, success, failure and no report over three clusters: 64 rows. */
const TABLE: Reported[][] = REPORTED.flatMap((a) => REPORTED.flatMap((b) => REPORTED.map((c) => [a, b, c])));

describe('the roll-up of an environment', () => {
  it.each(TABLE.map((row) => [row.join(' '), row]))('%s', (_, row) => {
    // Prepare
    const verdicts: Record<string, ClusterVerdict> = {};
    row.forEach((reported, index) => {
      if (reported !== 'missing') verdicts[CLUSTERS[index] as string] = verdict(reported);
    });

    // Act
    const rollup = rollupOf(CLUSTERS, verdicts);

    // Assess: failure as soon as one failed, success only when all three succeeded, else pending.
    const expected = row.includes('failure')
      ? 'failure'
      : row.every((reported) => reported === 'success')
        ? 'success'
        : 'pending';
    expect(rollup.state).toBe(expected);
    const count = (wanted: Reported) => row.filter((reported) => reported === wanted).length;
    expect(rollup.description.startsWith(`${count('success')}/3 clusters reconciled`)).toBe(true);
    expect(rollup.description.includes(`${count('failure')} failing`)).toBe(count('failure') > 0);
    expect(rollup.description.includes(`${count('pending')} progressing`)).toBe(count('pending') > 0);
    expect(rollup.description.includes(`${count('missing')} not reported`)).toBe(count('missing') > 0);
    // Without counts: the same state, and a description that only the state and the failing clusters set.
    const terse = rollupOf(CLUSTERS, verdicts, false);
    const failing = CLUSTERS.filter((_, index) => row[index] === 'failure');
    expect(terse.state).toBe(expected);
    expect(terse.description).toBe(
      {
        success: 'all 3 clusters reconciled',
        pending: 'waiting for the verdicts of 3 clusters',
        failure: `failing (${failing.map((cluster) => `${cluster}: failure text`).join('; ')})`,
      }[expected],
    );
  });

  it('says which clusters fail and why, as the issue shows it', () => {
    const verdicts = {
      'prod-eu-1': verdict('success'),
      'prod-eu-2': verdict('success'),
      'prod-us-1': verdict('success'),
      'prod-us-2': verdict('failure', 0, 'health check failed'),
      'prod-ap-1': verdict('success'),
    };

    const rollup = rollupOf(['prod-eu-1', 'prod-eu-2', 'prod-us-1', 'prod-us-2', 'prod-ap-1'], verdicts);

    expect(rollup).toEqual({
      state: 'failure',
      description: '4/5 clusters reconciled, 1 failing (prod-us-2: health check failed)',
    });
  });

  it('ignores the verdict of a cluster that left the environment', () => {
    const rollup = rollupOf(['prod-eu-1'], { 'prod-eu-1': verdict('success'), gone: verdict('failure') });

    expect(rollup).toEqual({ state: 'success', description: '1/1 clusters reconciled' });
  });

  it('shortens a long failure so that the count stays readable', () => {
    const rollup = rollupOf(['a'], { a: verdict('failure', 0, 'x'.repeat(500)) });

    expect(rollup.description.length).toBeLessThanOrEqual(140);
    expect(rollup.description.endsWith('…)')).toBe(true);
  });

  it('counts each cluster by its newest event, for late and repeated events in any order', () => {
    const state = fc.constantFrom<'pending' | 'success' | 'failure'>('pending', 'success', 'failure');
    const event = fc.record({ cluster: fc.constantFrom(...CLUSTERS), second: fc.nat({ max: 3 }), state });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (events, shuffle) => {
          // Prepare: each event arrives once in a shuffled order, and some arrive again (Flux re-sends).
          const arrivals = [...events];
          for (const [index, pick] of shuffle.entries()) {
            const from = pick % arrivals.length;
            arrivals.push(arrivals[from] as (typeof events)[number]);
            [arrivals[index % arrivals.length], arrivals[from]] = [
              arrivals[from] as (typeof events)[number],
              arrivals[index % arrivals.length] as (typeof events)[number],
            ];
          }

          // Act: the record as the ledger builds it, one advance per arrival.
          const verdicts: Record<string, ClusterVerdict> = {};
          for (const { cluster, second, state: shown } of arrivals) {
            verdicts[cluster] = advance(verdicts[cluster], verdict(shown, second * 1000));
          }

          // Assess: each cluster holds its newest event (latest second, then a verdict over pending,
          // then failure over success), and the roll-up is that of the newest events.
          const rank = { pending: 0, success: 1, failure: 2 };
          const newest: Record<string, ClusterVerdict> = {};
          for (const cluster of CLUSTERS) {
            const last = events
              .filter((each) => each.cluster === cluster)
              .sort((x, y) => x.second - y.second || rank[x.state] - rank[y.state])
              .pop();
            if (last !== undefined) newest[cluster] = verdict(last.state, last.second * 1000);
          }
          expect(verdicts).toEqual(newest);
          expect(rollupOf(CLUSTERS, verdicts)).toEqual(rollupOf(CLUSTERS, newest));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('a resolved roll-up', () => {
  const superseded = {
    state: 'success' as const,
    description: 'superseded by ccccccc, deployed with it',
    targetUrl: 'https://github.com/acme/fleet-infra/commit/c',
    order: eventOrder(0, { state: 'success', description: 'x', targetUrl: '' }),
  };
  /** prod-eu-1 pending since second 0: what the roll-up had when it was resolved. */
  const atResolution = { 'prod-eu-1': verdict('pending', 0) };
  const timedOut = {
    ...superseded,
    state: 'error' as const,
    description: 'no verdict from prod-us-1 within 30m',
    verdicts: verdictsDigest(CLUSTERS, atResolution),
  };

  /** The verdicts after each cluster's news, as the cluster items hold them (only advancing). */
  function withNews(...news: [string, ClusterVerdict][]) {
    const verdicts: Record<string, ClusterVerdict> = { ...atResolution };
    for (const [cluster, next] of news) verdicts[cluster] = advance(verdicts[cluster], next);
    return verdicts;
  }

  it('stands in for the missing verdicts, its counts after it', () => {
    // Act
    const rolled = rollupOfRecord(CLUSTERS, atResolution, superseded);

    // Assess
    expect(rolled).toEqual({
      state: 'success',
      description:
        'superseded by ccccccc, deployed with it; 0/3 clusters reconciled, 1 progressing, 2 not reported',
      targetUrl: 'https://github.com/acme/fleet-infra/commit/c',
      resolved: true,
      contradicted: false,
    });
  });

  it('"superseded" stands against a success (it says as much) and ends at a failure or a new pending', () => {
    const afterSuccess = withNews(['prod-us-1', verdict('success', 20_000)]);
    const afterPending = withNews(
      ['prod-us-1', verdict('success', 20_000)],
      ['prod-us-2', verdict('pending', 40_000)],
    );
    const afterFailure = withNews(['prod-us-2', verdict('failure', 30_000)]);

    expect(rollupOfRecord(CLUSTERS, afterSuccess, superseded)).toMatchObject({
      state: 'success',
      resolved: true,
    });
    expect(rollupOfRecord(CLUSTERS, afterPending, superseded)).toMatchObject({
      state: 'pending',
      resolved: false,
      contradicted: true,
    });
    expect(rollupOfRecord(CLUSTERS, afterFailure, superseded)).toMatchObject({
      state: 'failure',
      contradicted: true,
    });
  });

  it('a timeout ends at any news that comes after it, whatever its time', () => {
    // A success stamped before the pending's own second still counts: it came after the timeout.
    const verdicts = withNews(['prod-us-1', verdict('success', 0)]);

    expect(rollupOfRecord(CLUSTERS, atResolution, timedOut)).toMatchObject({
      state: 'error',
      resolved: true,
    });
    expect(rollupOfRecord(CLUSTERS, verdicts, timedOut)).toMatchObject({
      state: 'pending',
      resolved: false,
      contradicted: true,
    });
    expect(clustersWithoutVerdict(CLUSTERS, verdicts)).toEqual(['prod-eu-1', 'prod-us-2']);
  });

  it('names ten failing clusters at most, and counts the rest', () => {
    const many = Array.from({ length: 500 }, (_, index) => `c${index}`);
    const verdicts = Object.fromEntries(
      many.map((cluster) => [cluster, verdict('failure', 0, 'x'.repeat(740))]),
    );

    const rollup = rollupOf(many, verdicts, false);

    expect(rollup.description.match(/c\d+: /g)).toHaveLength(10);
    expect(rollup.description.endsWith('; 490 more)')).toBe(true);
    expect(rollup.description.length).toBeLessThan(1000);
  });
});
