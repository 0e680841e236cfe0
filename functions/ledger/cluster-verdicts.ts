import * as z from 'zod/mini';
import { STATUS_STATES } from '../core/commit-status.js';

/** A cluster's newest verdict on one commit and object, with the order of the event that gave it. */
export const ClusterVerdictSchema = z.object({
  order: z.string(),
  state: z.enum(STATUS_STATES),
  description: z.string(),
});
export type ClusterVerdict = z.infer<typeof ClusterVerdictSchema>;

/** A cluster's verdict as stored: with its event's time, for the roll-up's details page. */
export const StoredVerdictSchema = z.object({
  ...ClusterVerdictSchema.shape,
  eventTime: z.number(),
});
export type StoredVerdict = z.infer<typeof StoredVerdictSchema>;

/**
 * How much of a cluster's message its item keeps: the roll-up quotes less, and the details page
 * this much, so an item stays under a kilobyte however long Flux's message was.
 */
export const CLUSTER_MESSAGE_LIMIT = 280;

/**
 * What storing a report did: `changed` its roll-up's input (a new cluster, or another state or
 * description), `advanced` only its order (the same verdict, newer), `same` found this very report
 * stored (a re-send), `stale` found a newer one.
 */
export type ReportResult = 'changed' | 'advanced' | 'same' | 'stale';

/**
 * The clusters' verdicts of every roll-up: one small item per (roll-up, cluster), so a report costs
 * one conditional write whatever the fleet's size, and a roll-up's clusters are one strongly
 * consistent query of its partition.
 */
export interface ClusterVerdicts {
  /** Stores the verdict unless the cluster's item holds one at least as new. */
  report(rollup: string, cluster: string, verdict: StoredVerdict): Promise<ReportResult>;
  /** Every cluster's newest verdict on the roll-up. */
  query(rollup: string): Promise<Record<string, StoredVerdict>>;
}

/** The result of a write whose condition held (`previous` the item it replaced) or failed (`current`). */
export function reportResult(
  verdict: StoredVerdict,
  written: boolean,
  other: ClusterVerdict | undefined,
): ReportResult {
  if (!written) return other?.order === verdict.order ? 'same' : 'stale';
  return other !== undefined && other.state === verdict.state && other.description === verdict.description
    ? 'advanced'
    : 'changed';
}
