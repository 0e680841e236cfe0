import * as z from 'zod/mini';
import { ClusterVerdictSchema } from './cluster-verdicts.js';
import type { VersionedStore } from './versioned-store.js';

/**
 * One roll-up (repository, sha, environment, roll-up context) in the shared ledger: what its one
 * consumer keeps of it. The clusters' verdicts are items of their own (`cluster-verdicts.ts`), so this
 * record stays small however large the fleet.
 *
 * - `createdAt`: when the record was made; with `version` the roll-up's sequence (`rollupSequence`).
 * - `verdicts`: on a deployment record, each object's roll-up (context → its newest verdict); an
 *   entry only ever advances to a newer order.
 * - `resolution`: what the pending sweep or a newer commit resolved a pending roll-up to.
 * - `promotion`: the promotion signal, `claimed` by one delivery until its lease ends, then `sent`.
 * - `deploymentId`, `creation`: on a deployment record (one per repository, sha and environment,
 *   whose members are the environment's roll-ups), the GitHub deployment, and the claim of the one
 *   delivery creating it.
 * - `version`: every change is a compare-and-swap on it, so it grows with each change.
 */
export const RollupRecordSchema = z.object({
  createdAt: z.optional(z.number()),
  verdicts: z.optional(z.record(z.string(), ClusterVerdictSchema)),
  promotion: z.optional(
    z.union([
      z.object({ state: z.literal('claimed'), claimId: z.string(), until: z.number() }),
      z.object({ state: z.literal('sent'), at: z.number() }),
    ]),
  ),
  /**
   * What a pending roll-up was resolved to (functions/pending/): "superseded" by a newer commit's
   * verdict, or no verdict within the timeout, ranked at the pending's time (`order`). It stands
   * until a cluster's newer verdict contradicts it (the consumer then removes it).
   */
  resolution: z.optional(
    z.object({
      state: z.enum(['success', 'error']),
      description: z.string(),
      targetUrl: z.string(),
      order: z.string(),
      /** The clusters' verdicts it resolved, as a digest (`verdictsDigest`): a timeout ends at any news. */
      verdicts: z.optional(z.string()),
    }),
  ),
  deploymentId: z.optional(z.number()),
  /**
   * A change request's preview record (deployment-delivery.ts): the commit whose deployment is
   * current, by the newest event time of its reports; the others' are set inactive.
   */
  current: z.optional(
    z.object({ sha: z.string(), eventTime: z.number(), previous: z.optional(z.array(z.string())) }),
  ),
  creation: z.optional(z.object({ claimId: z.string(), until: z.number() })),
  version: z.number(),
});
export type RollupRecord = z.infer<typeof RollupRecordSchema>;

/** The storage under the roll-up. */
export type RollupLedger = VersionedStore<RollupRecord>;

/** Roll-up records share the status ledger's table under their own prefix: no status key has it. */
export const ROLLUP_KEY_PREFIX = 'rollup';

/**
 * The order of a roll-up's writes: the record's creation time (ms) and its version, so a record made
 * anew after expiry orders after every write of the old one (which lived for days). Its own order,
 * under the roll-up's own status identities: it never meets a cluster's event time.
 */
export function rollupSequence(record: Pick<RollupRecord, 'createdAt' | 'version'>): number {
  return (record.createdAt ?? 0) * 1000 + record.version;
}
