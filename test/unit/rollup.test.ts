import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advance,
  type ClusterVerdict,
  clustersWithoutVerdict,
  rollupOf,
  rollupOfRecord,
} from '../../functions/environments/rollup.js';
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
  const resolution = (second: number, covers: Record<string, string>) => ({
    state: 'success' as const,
    description: 'superseded by ccccccc, deployed with it',
    targetUrl: 'https://github.com/acme/fleet-infra/commit/c',
    order: eventOrder(second * 1000, { state: 'success', description: 'x', targetUrl: '' }),
    covers,
  });

  it('stands in for the missing verdicts while no cluster reports a newer event', () => {
    // Prepare: resolved at second 30, when prod-eu-1 was pending since second 0.
    const verdicts = { 'prod-eu-1': verdict('pending', 0) };
    const record = { verdicts, resolution: resolution(30, { 'prod-eu-1': verdicts['prod-eu-1'].order }) };

    // Act
    const rolled = rollupOfRecord(CLUSTERS, record);

    // Assess
    expect(rolled).toEqual({
      state: 'success',
      description:
        'superseded by ccccccc, deployed with it; 0/3 clusters reconciled, 1 progressing, 2 not reported',
      targetUrl: 'https://github.com/acme/fleet-infra/commit/c',
      resolved: true,
    });
  });

  it('is not undone by an event older than it, however late, and gives way to a newer one', () => {
    const covers = { 'prod-eu-1': verdict('pending', 0).order };
    const older = {
      verdicts: { 'prod-eu-1': verdict('failure', 20_000) },
      resolution: resolution(30, covers),
    };
    const newer = {
      verdicts: { 'prod-eu-1': verdict('failure', 40_000) },
      resolution: resolution(30, covers),
    };

    expect(rollupOfRecord(CLUSTERS, older)).toMatchObject({ state: 'success', resolved: true });
    expect(rollupOfRecord(CLUSTERS, newer)).toMatchObject({ state: 'failure', resolved: false });
  });

  it('is not undone by a newer success: "deployed with it" says as much', () => {
    const covers = { 'prod-eu-1': verdict('pending', 0).order };
    const repeated = {
      verdicts: { 'prod-eu-1': verdict('success', 40_000) },
      resolution: resolution(30, covers),
    };

    expect(rollupOfRecord(CLUSTERS, repeated)).toMatchObject({
      state: 'success',
      description: expect.stringMatching(
        /^superseded by ccccccc, deployed with it; 1\/3 clusters reconciled/,
      ),
      resolved: true,
    });
  });

  it('gives way to any verdict that came after it when it was a timeout (its order is the pending’s)', () => {
    const verdicts = { 'prod-eu-1': verdict('success', 10_000), 'prod-us-1': verdict('success', 5_000) };
    const timeout = {
      ...resolution(0, { 'prod-eu-1': verdict('success', 10_000).order }),
      state: 'error' as const,
      description: 'no verdict from prod-us-1, prod-us-2 within 30m',
    };

    expect(rollupOfRecord(CLUSTERS, { verdicts, resolution: timeout })).toMatchObject({
      state: 'pending',
      resolved: false,
    });
    expect(clustersWithoutVerdict(CLUSTERS, verdicts)).toEqual(['prod-us-2']);
  });
});
