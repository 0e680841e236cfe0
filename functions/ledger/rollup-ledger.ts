import * as z from 'zod/mini';
import { ClusterVerdictSchema } from '../environments/rollup.js';
import type { VersionedStore } from './versioned-store.js';

/**
 * One roll-up (repository, sha, environment, roll-up context) in the shared ledger: every cluster's
 * newest verdict in ONE record, so that "the verdicts of every cluster of this environment on this
 * commit" is one strongly consistent key lookup, never a query or a scan.
 *
 * - `verdicts`: cluster → its newest verdict; an entry only ever advances to a newer event order.
 * - `resolution`: what the pending sweep or a newer commit resolved a pending roll-up to.
 * - `promotion`: the promotion signal, `claimed` by one delivery until its lease ends, then `sent`.
 * - `deploymentId`, `creation`: on a deployment record (one per repository, sha and environment,
 *   whose members are the environment's roll-ups), the GitHub deployment, and the claim of the one
 *   delivery creating it.
 * - `version`: every change is a compare-and-swap on it, so it grows with each change; the roll-up
 *   status is ordered by it (a roll-up read from an older record is older).
 */
export const RollupRecordSchema = z.object({
  verdicts: z.record(z.string(), ClusterVerdictSchema),
  promotion: z.optional(
    z.union([
      z.object({ state: z.literal('claimed'), claimId: z.string(), until: z.number() }),
      z.object({ state: z.literal('sent'), at: z.number() }),
    ]),
  ),
  /**
   * What a pending roll-up was resolved to (functions/pending/): "superseded" by a newer commit's
   * verdict, or no verdict within the timeout, ranked at the pending's time (`order`). It stands
   * until a cluster's newer verdict contradicts it (`recordVerdict`).
   */
  resolution: z.optional(
    z.object({
      state: z.enum(['success', 'error']),
      description: z.string(),
      targetUrl: z.string(),
      order: z.string(),
    }),
  ),
  deploymentId: z.optional(z.number()),
  creation: z.optional(z.object({ claimId: z.string(), until: z.number() })),
  version: z.number(),
});
export type RollupRecord = z.infer<typeof RollupRecordSchema>;

/** The storage under the roll-up. */
export type RollupLedger = VersionedStore<RollupRecord>;

/** Roll-up records share the status ledger's table under their own prefix: no status key has it. */
export const ROLLUP_KEY_PREFIX = 'rollup';
