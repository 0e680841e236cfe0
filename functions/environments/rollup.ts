import * as z from 'zod/mini';
import { STATUS_STATES, type StatusState } from '../core/commit-status.js';

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

/** How much of a cluster's failure the description quotes: GitHub shows 140 characters in all. */
const FAILURE_DETAIL_LIMIT = 60;

/**
 * The environment's verdict, a pure function of its clusters' newest verdicts: `failure` as soon as
 * one cluster failed, `success` once every cluster succeeded, `pending` until then. A cluster that
 * has not reported counts as pending; a verdict of a cluster no longer in the environment is
 * ignored. The description counts, and names the failing clusters with their first words.
 */
export function rollupOf(
  clusters: readonly string[],
  verdicts: Readonly<Record<string, ClusterVerdict>>,
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
  // The counts first: a forge that cuts the description (GitHub at 140) cuts only the details.
  const parts = [`${succeeded}/${clusters.length} clusters reconciled`];
  if (progressing > 0) parts.push(`${progressing} progressing`);
  if (missing > 0) parts.push(`${missing} not reported`);
  if (failing.length > 0) {
    const named = failing.map((cluster) => {
      const detail = verdicts[cluster]?.description ?? '';
      return detail === '' ? cluster : `${cluster}: ${shorten(detail)}`;
    });
    parts.push(`${failing.length} failing (${named.join('; ')})`);
  }
  const state: StatusState =
    failing.length > 0 ? 'failure' : succeeded === clusters.length ? 'success' : 'pending';
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
