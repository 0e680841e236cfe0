import * as z from 'zod/mini';
import type { VersionedStore } from './versioned-store.js';

/** One commit an object settled on: its first final verdict, in the status ledger's order. */
export const SettledCommitSchema = z.object({
  sha: z.string(),
  /** `eventOrder` of that verdict: the history's only order. */
  order: z.string(),
  eventTime: z.number(),
  /** True once the statuses of the commits it carried are written or queued. */
  done: z.boolean(),
});
export type SettledCommit = z.infer<typeof SettledCommitSchema>;

/**
 * The commits one Flux object of one route settled on, oldest first, so that a verdict finds the
 * commit before it (W of W..X) in one read, whatever order the verdicts arrive in.
 */
export const DeploymentHistorySchema = z.object({
  settled: z.array(SettledCommitSchema),
  version: z.number(),
});
export type DeploymentHistory = z.infer<typeof DeploymentHistorySchema>;

export type DeploymentHistoryStore = VersionedStore<DeploymentHistory>;

/** Its own prefix, beside `pending|` and `rollup|`. */
export function historyKey(routeId: string, object: string): string {
  return `settled|${routeId}|${object}`;
}
