import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { STATUS_STATES } from '../core/commit-status.js';
import type { VersionedStore } from './versioned-store.js';

/** What a status identity shows: the part of a commit status that the forge displays. */
export const ShownStatusSchema = z.object({
  state: z.enum(STATUS_STATES),
  description: z.string(),
  targetUrl: z.string(),
});
export type ShownStatus = z.infer<typeof ShownStatusSchema>;

/**
 * One status identity (forge, repository, sha, context) in the ledger that every container shares.
 *
 * - `claim` is the newest event's status any delivery has seen, with its `order`. A delivery claims
 *   the identity before it calls the forge, so an older event can never be written after it.
 *   `resolved` marks a claim that a resolution made (a roll-up's "superseded" or timeout).
 * - `confirmed` says that a delivery wrote the claim to the forge and then found it still current,
 *   with no other write in flight: only then may a repeat skip the forge.
 * - `writers` are the deliveries that may have a forge write in flight, each until its deadline
 *   (plus a grace period). A write that lands late is repaired by its own writer; a writer that died
 *   holds confirmation off until it expires, so the next delivery writes the claim again.
 * - `version` makes every change a compare-and-swap.
 */
export const LedgerItemSchema = z.object({
  claim: z.object({
    order: z.string(),
    eventTime: z.number(),
    status: ShownStatusSchema,
    /**
     * The claim stands for a resolution (functions/pending/), not for the verdicts it orders: a
     * roll-up record made anew inherits a promotion only from a success its clusters earned.
     */
    resolved: z.optional(z.literal(true)),
  }),
  confirmed: z.boolean(),
  writers: z.record(z.string(), z.number()),
  version: z.number(),
});
export type LedgerItem = z.infer<typeof LedgerItemSchema>;

/** The storage under the ordering protocol. */
export type StatusLedger = VersionedStore<LedgerItem>;

/**
 * A part longer than this many bytes is replaced by its digest: a key has a handful of parts, and
 * DynamoDB refuses a partition key above 2,048 bytes, so no event text can make a key it refuses.
 */
export const MAX_KEY_PART_BYTES = 160;

/** A short part as it is; a long one as `#` and its SHA-256, 44 characters, distinct parts kept apart. */
function boundedPart(part: string): string {
  if (Buffer.byteLength(part) <= MAX_KEY_PART_BYTES) return part;
  return `#${createHash('sha256').update(part).digest('base64url')}`;
}

export function ledgerKey(parts: readonly string[]): string {
  return parts.map(boundedPart).join('|');
}

/**
 * Compared as strings: `05` sorts after `0` and before `1`, so `error` sits between pending and the
 * verdicts without renumbering the ranks of the orders already stored in the ledger.
 */
const STATE_RANK: Record<ShownStatus['state'], string> = {
  pending: '0',
  error: '05',
  success: '1',
  failure: '2',
};

/**
 * A total order on events, the same in every container, compared as strings: the event time first;
 * at the same time (Flux's timestamps have whole seconds) a verdict after a pending, so a late
 * Progressing never turns a verdict back into pending; then a failure after a success, because a
 * wrong green is the worse mistake; and last a hash of the shown text, so that two different events
 * of the same second still order alike everywhere. Identical events have identical orders.
 *
 * `error` (no verdict came, functions/pending/) ranks above the pending it resolves, which carries
 * the same time, and below any verdict of that second or later: a real verdict always replaces it.
 */
export function eventOrder(eventTime: number, status: ShownStatus): string {
  const time = Math.max(0, Math.trunc(eventTime)).toString().padStart(15, '0');
  return `${time}.${STATE_RANK[status.state]}.${shownDigest(status)}`;
}

/**
 * The order of a roll-up's change request comment, one comment for all the change request's
 * commits: Flux's clock first (the newest cluster verdict's event time, which only grows as a
 * commit's roll-up is recomputed), so a newer commit's roll-up outranks an older one's whenever
 * their records were made; the roll-up's own sequence then orders one commit's recomputes that
 * share that time. Two commits' sequences meet only when their newest reports share a millisecond.
 */
export function rollupCommentOrder(eventTime: number, sequence: number, status: ShownStatus): string {
  const time = Math.max(0, Math.trunc(eventTime)).toString().padStart(15, '0');
  const counter = Math.max(0, Math.trunc(sequence)).toString().padStart(16, '0');
  return `${time}.${counter}.${STATE_RANK[status.state]}.${shownDigest(status)}`;
}

/** The largest time an order holds (15 digits of epoch ms). */
const LAST_TIME = 999_999_999_999_999;

/**
 * The order of a status this service writes for a commit that a deployment carried without an event
 * of its own (functions/ranges/). Its `-` sorts before every digit, so any event of the commit's own,
 * whatever its time, outranks it. Among such statuses the earlier deployment ranks higher (its time
 * counts down): the first deployment that carried a commit is the one that shipped it, and in
 * whatever order two racing deployments' verdicts arrive, each commit ends with that one's status.
 */
export function carriedOrder(eventTime: number, status: ShownStatus): string {
  const countdown = (LAST_TIME - Math.min(LAST_TIME, Math.max(0, Math.trunc(eventTime))))
    .toString()
    .padStart(15, '0');
  return `-${countdown}.${STATE_RANK[status.state]}.${shownDigest(status)}`;
}

/** Whether a claim is a carried status's (`carriedOrder`), not one of an event of the commit's own. */
export function isCarriedOrder(order: string): boolean {
  return order.startsWith('-');
}

function shownDigest(status: ShownStatus): string {
  return createHash('sha256')
    .update(`${status.state}\n${status.description}\n${status.targetUrl}`)
    .digest('hex')
    .slice(0, 16);
}

export function sameShown(a: ShownStatus, b: ShownStatus): boolean {
  return a.state === b.state && a.description === b.description && a.targetUrl === b.targetUrl;
}
