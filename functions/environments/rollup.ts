import * as z from 'zod/mini';
import { STATUS_STATES, type StatusState } from '../core/commit-status.js';
import type { RollupRecord } from '../ledger/rollup-ledger.js';

/** A cluster's newest verdict on one commit and object, with the order of the event that gave it. */
export const ClusterVerdictSchema = z.object({
  order: z.string(),
  state: z.enum(STATUS_STATES),
  description: z.string(),
});
export type ClusterVerdict = z.infer<typeof ClusterVerdictSchema>;

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
  const named = failing.map((cluster) => {
    const detail = verdicts[cluster]?.description ?? '';
    return detail === '' ? cluster : `${cluster}: ${shorten(detail)}`;
  });
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

/**
 * The roll-up of a record: its resolution while it has one (`recordVerdict` ends it when a cluster's
 * news contradicts it), else its clusters' verdicts.
 */
export function rollupOfRecord(
  clusters: readonly string[],
  record: Pick<RollupRecord, 'verdicts' | 'resolution'>,
  counts = true,
): RecordedRollup {
  const base = rollupOf(clusters, record.verdicts, counts);
  const { resolution } = record;
  if (resolution === undefined) return { ...base, targetUrl: '', resolved: false };
  return {
    state: resolution.state,
    description: `${resolution.description}; ${base.description}`,
    targetUrl: resolution.targetUrl,
    resolved: true,
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
