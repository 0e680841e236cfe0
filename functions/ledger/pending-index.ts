import * as z from 'zod/mini';
import { ledgerKey } from './status-ledger.js';
import type { VersionedStore } from './versioned-store.js';

/** What is owed to a pending commit once a newer commit's verdict superseded it. */
export const OwedStatusSchema = z.object({
  state: z.enum(['success', 'error']),
  description: z.string(),
  targetUrl: z.string(),
  /**
   * The superseding verdict's event time, which a later verdict of the object compares with; the
   * resolution itself ranks at the pending's time (`since`), so the commit's own verdicts outrank it.
   */
  eventTime: z.number(),
});
export type OwedStatus = z.infer<typeof OwedStatusSchema>;

/** One pending status identity of an object: enough to write its resolution without the event. */
export const PendingEntrySchema = z.object({
  sha: z.string(),
  ref: z.optional(z.string()),
  context: z.string(),
  summary: z.optional(z.string()),
  targetUrl: z.optional(z.string()),
  /** The Progressing event's time. */
  since: z.number(),
  /** The route's pendingTimeout in ms when the entry was made; absent where it is off. */
  timeoutMs: z.optional(z.number()),
  /** When the sweep acts on the entry: at the timeout, or at once when a resolution is owed. */
  dueAt: z.optional(z.number()),
  owed: z.optional(OwedStatusSchema),
  /** The change request's comment the pending showed (`changeRequestComments`): its timeout ends it too. */
  comment: z.optional(z.object({ changeRequest: z.number(), marker: z.string() })),
});
export type PendingEntry = z.infer<typeof PendingEntrySchema>;

/** The newest verdict the object had: a pending older than it, of another commit, was superseded by it. */
export const LastVerdictSchema = z.object({
  sha: z.string(),
  state: z.enum(['success', 'failure', 'error']),
  eventTime: z.number(),
});
export type LastVerdict = z.infer<typeof LastVerdictSchema>;

/**
 * The commits on which one Flux object of one route is still pending, in one item, so that a
 * verdict finds the older ones in one read. `version` makes every change a compare-and-swap.
 */
export const PendingObjectSchema = z.object({
  routeId: z.string(),
  object: z.string(),
  entries: z.array(PendingEntrySchema),
  verdict: z.optional(LastVerdictSchema),
  version: z.number(),
  /** When an event of the object on this route was first received: how long it has been heard from. */
  firstSeenAt: z.optional(z.number()),
  /** When its latest success was received, kept to the hour (see `SUCCESS_MARK_STEP_MS`). */
  lastSuccessAt: z.optional(z.number()),
});
export type PendingObject = z.infer<typeof PendingObjectSchema>;

/** The storage of pending statuses: a read, a compare-and-swap, and the items due for the sweep. */
export interface PendingIndex extends VersionedStore<PendingObject> {
  /** Keys of items with an entry due at `now` or earlier, soonest first, at most `limit`; never a scan. */
  due(now: number, limit: number): Promise<string[]>;
}

/** Its own prefix: the status identities' keys begin with a forge type, never with `pending|`. */
export function pendingKey(routeId: string, object: string): string {
  return ledgerKey(['pending', routeId, object]);
}

/** When the item's soonest entry is due; undefined keeps it out of the sweep's index. */
export function dueAtOf(item: PendingObject): number | undefined {
  const due = item.entries.flatMap((entry) => (entry.dueAt === undefined ? [] : [entry.dueAt]));
  return due.length === 0 ? undefined : Math.min(...due);
}

/** The same status identity: what a verdict on it resolves, and what a repeat replaces. */
export function sameIdentity(a: PendingEntry, b: Pick<PendingEntry, 'sha' | 'context' | 'summary'>): boolean {
  return a.sha === b.sha && a.context === b.context && (a.summary ?? '') === (b.summary ?? '');
}
