import { createHash } from 'node:crypto';
import type { StatusState } from '../core/commit-status.js';
import type { ClusterVerdict } from '../ledger/cluster-verdicts.js';
import type { RollupRecord } from '../ledger/rollup-ledger.js';

export type { ClusterVerdict };

export interface Rollup {
  state: StatusState;
  description: string;
}

/** A roll-up as its record shows it: resolved when a resolution stands in for missing verdicts. */
export interface RecordedRollup extends Rollup {
  targetUrl: string;
  resolved: boolean;
}

/** How much of a cluster's failure the description quotes: GitHub shows 140 characters in all. */
const FAILURE_DETAIL_LIMIT = 60;

/**
 * How many clusters a description names: the rest are counted. No forge shows more than a few
 * hundred characters, and a fleet-wide failure must not build a description of every cluster.
 */
const NAMED_CLUSTERS = 10;

/** Names, the first `NAMED_CLUSTERS` of them, and how many more. */
export function someOf(names: readonly string[]): string {
  const shown = names.slice(0, NAMED_CLUSTERS).join(', ');
  return names.length > NAMED_CLUSTERS ? `${shown} and ${names.length - NAMED_CLUSTERS} more` : shown;
}

/**
 * The environment's verdict, a pure function of its clusters' newest verdicts: `failure` as soon as
 * one cluster failed, `success` once every cluster succeeded, `pending` until then. A cluster that
 * has not reported counts as pending; a verdict of a cluster no longer in the environment is
 * ignored. The description counts, and names the failing clusters with their first words; without
 * `counts`, it says only what the state means and which clusters fail, so that it changes (and is
 * written) only when the state or the failing clusters do, however many clusters report.
 */
export function rollupOf(
  clusters: readonly string[],
  verdicts: Readonly<Record<string, ClusterVerdict>>,
  counts = true,
): Rollup {
  const failing: string[] = [];
  let succeeded = 0;
  let progressing = 0;
  for (const cluster of clusters) {
    const verdict = Object.hasOwn(verdicts, cluster) ? verdicts[cluster] : undefined;
    if (verdict?.state === 'success') succeeded++;
    else if (verdict?.state === 'failure') failing.push(cluster);
    else if (verdict?.state === 'pending') progressing++;
  }
  const missing = clusters.length - succeeded - failing.length - progressing;
  const state: StatusState =
    failing.length > 0 ? 'failure' : succeeded === clusters.length ? 'success' : 'pending';
  const named = failing.slice(0, NAMED_CLUSTERS).map((cluster) => {
    const detail = verdicts[cluster]?.description ?? '';
    return detail === '' ? cluster : `${cluster}: ${shorten(detail)}`;
  });
  if (failing.length > NAMED_CLUSTERS) named.push(`${failing.length - NAMED_CLUSTERS} more`);
  if (!counts) {
    const description =
      state === 'success'
        ? `all ${clusters.length} clusters reconciled`
        : state === 'pending'
          ? `waiting for the verdicts of ${clusters.length} clusters`
          : `failing (${named.join('; ')})`;
    return { state, description };
  }
  // The counts first: a forge that cuts the description (GitHub at 140) cuts only the details.
  const parts = [`${succeeded}/${clusters.length} clusters reconciled`];
  if (progressing > 0) parts.push(`${progressing} progressing`);
  if (missing > 0) parts.push(`${missing} not reported`);
  if (failing.length > 0) parts.push(`${failing.length} failing (${named.join('; ')})`);
  return { state, description: parts.join(', ') };
}

function shorten(text: string): string {
  const chars = Array.from(text);
  return chars.length <= FAILURE_DETAIL_LIMIT
    ? text
    : `${chars.slice(0, FAILURE_DETAIL_LIMIT - 1).join('')}…`;
}

/** The cluster's verdict after an event: the newer of the two by event order; the older never wins. */
export function advance(current: ClusterVerdict | undefined, next: ClusterVerdict): ClusterVerdict {
  return current !== undefined && current.order >= next.order ? current : next;
}

type Resolution = NonNullable<RollupRecord['resolution']>;

/**
 * The roll-up of its clusters' verdicts and its record's resolution: the resolution while it stands,
 * else the verdicts. News contradicts it (`contradicted`, and the consumer removes it for good): a
 * timeout's `error` gives way to any change of the verdicts it resolved, whatever its time;
 * "superseded, deployed with it" to a cluster's verdict newer than it unless that is a success,
 * which says as much.
 */
export function rollupOfRecord(
  clusters: readonly string[],
  verdicts: Readonly<Record<string, ClusterVerdict>>,
  resolution: Resolution | undefined,
  counts = true,
): RecordedRollup & { contradicted: boolean } {
  const base = rollupOf(clusters, verdicts, counts);
  if (resolution === undefined) return { ...base, targetUrl: '', resolved: false, contradicted: false };
  const contradicted =
    resolution.state === 'error'
      ? resolution.verdicts !== undefined && resolution.verdicts !== verdictsDigest(clusters, verdicts)
      : clusters.some((cluster) => {
          const verdict = Object.hasOwn(verdicts, cluster) ? verdicts[cluster] : undefined;
          return verdict !== undefined && verdict.order > resolution.order && verdict.state !== 'success';
        });
  if (contradicted) return { ...base, targetUrl: '', resolved: false, contradicted };
  return {
    state: resolution.state,
    description: `${resolution.description}; ${base.description}`,
    targetUrl: resolution.targetUrl,
    resolved: true,
    contradicted,
  };
}

/** The missing verdicts of a roll-up, for the sweep's words. */
export function clustersWithoutVerdict(
  clusters: readonly string[],
  verdicts: Readonly<Record<string, ClusterVerdict>>,
): string[] {
  return clusters.filter((cluster) => {
    const state = Object.hasOwn(verdicts, cluster) ? verdicts[cluster]?.state : undefined;
    return state !== 'success' && state !== 'failure';
  });
}

/** What the environment's clusters had reported, in 16 hex digits: news changes it. */
export function verdictsDigest(
  clusters: readonly string[],
  verdicts: Readonly<Record<string, ClusterVerdict>>,
): string {
  const hash = createHash('sha256');
  for (const cluster of clusters) {
    const order = Object.hasOwn(verdicts, cluster) ? verdicts[cluster]?.order : undefined;
    hash.update(`${cluster}\n${order ?? ''}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}
