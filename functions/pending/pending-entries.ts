import type { Route } from '../config/route-schema.js';
import type { CommitStatus } from '../core/commit-status.js';
import { CONFLICT, compareAndSwap } from '../core/compare-and-swap.js';
import { parseDuration } from '../core/duration.js';
import {
  type LastVerdict,
  type PendingEntry,
  type PendingIndex,
  type PendingObject,
  sameIdentity,
} from '../ledger/pending-index.js';
import { supersededBy } from './resolutions.js';

/**
 * Commits one object may have pending at once: the item stays far below DynamoDB's 400 KB with the
 * longest contexts and links. Beyond it, the oldest are resolved at once as having no verdict.
 */
export const MAX_PENDING_PER_OBJECT = 50;

export function timeoutMsOf(route: Route): number | undefined {
  return route.pendingTimeout === false ? undefined : parseDuration(route.pendingTimeout);
}

type ItemState = Pick<PendingObject, 'entries' | 'verdict'>;

/**
 * Changes one item by compare-and-swap. `change` returns the next entries and verdict, or undefined
 * to leave them as they are; `heard` moves the item's marks (`nextMarks`). What `change` returned is
 * the answer.
 */
export function changeItem(
  index: PendingIndex,
  key: string,
  owner: Pick<PendingObject, 'routeId' | 'object'>,
  change: (item: ItemState) => ItemState | undefined,
  heard?: HeardEvent,
): Promise<ItemState | undefined> {
  return compareAndSwap('the pending index item', async () => {
    const item = await index.read(key);
    const current: ItemState = {
      entries: item?.entries ?? [],
      ...(item?.verdict ? { verdict: item.verdict } : {}),
    };
    const next = change(current);
    const marks = heard === undefined ? undefined : nextMarks(item, heard);
    if (next === undefined && marks === undefined) return undefined;
    const stored: PendingObject = {
      ...owner,
      ...(item === undefined ? {} : pick(item)),
      ...marks,
      ...(next ?? current),
      version: (item?.version ?? 0) + 1,
    };
    return (await index.swap(key, item?.version, stored)) ? next : CONFLICT;
  });
}

/** Changes one item's entries alone (`changeItem`), keeping its verdict. */
export async function changeEntries(
  index: PendingIndex,
  key: string,
  owner: Pick<PendingObject, 'routeId' | 'object'>,
  change: (entries: PendingEntry[]) => PendingEntry[] | undefined,
  heard?: HeardEvent,
): Promise<PendingEntry[] | undefined> {
  const next = await changeItem(
    index,
    key,
    owner,
    (item) => {
      const entries = change(item.entries);
      return entries === undefined ? undefined : { ...item, entries };
    },
    heard,
  );
  return next?.entries;
}

/**
 * A pending of another commit, older than the object's newest verdict, arrived after it (a Flux
 * retry, a redelivery): that verdict superseded it, as it would have had the pending come first.
 * Its entry is owed the same resolution, due at once.
 */
export function supersededLate(
  entries: PendingEntry[],
  route: Route,
  pending: CommitStatus,
  verdict: LastVerdict | undefined,
  now: number,
): PendingEntry[] {
  if (verdict === undefined || verdict.sha === pending.sha) return entries;
  return entries.map((entry) =>
    sameIdentity(entry, pending) && entry.owed === undefined && entry.since < verdict.eventTime
      ? { ...entry, owed: supersededBy(route, verdict, verdict.eventTime), dueAt: now }
      : entry,
  );
}

/** The object's newest verdict, the one kept when it is newer than the stored one. */
export function newestVerdict(stored: LastVerdict | undefined, verdict: LastVerdict): LastVerdict {
  return stored !== undefined && stored.eventTime >= verdict.eventTime ? stored : verdict;
}

/**
 * An event of the object, as the marks of its item see it: when it was received, not stamped, since
 * the marks say how long this service has heard from the object (a replayed old event is new here).
 */
export interface HeardEvent {
  receivedAt: number;
  success: boolean;
}

/**
 * A success moves `lastSuccessAt` only once it is this much newer: a steady object's successes
 * (one each reconciliation) cost a write an hour at most, not one each.
 */
export const SUCCESS_MARK_STEP_MS = 3600_000;

function pick({
  firstSeenAt,
  lastSuccessAt,
}: PendingObject): Pick<PendingObject, 'firstSeenAt' | 'lastSuccessAt'> {
  return {
    ...(firstSeenAt === undefined ? {} : { firstSeenAt }),
    ...(lastSuccessAt === undefined ? {} : { lastSuccessAt }),
  };
}

/**
 * The item's marks after this event, or undefined when they need no write: the first receipt and
 * the latest success's, a minimum and a maximum, so that two containers' writes end the same.
 */
function nextMarks(
  item: PendingObject | undefined,
  { receivedAt, success }: HeardEvent,
): Pick<PendingObject, 'firstSeenAt' | 'lastSuccessAt'> | undefined {
  const firstSeenAt = Math.min(item?.firstSeenAt ?? receivedAt, receivedAt);
  const last = item?.lastSuccessAt;
  const lastSuccessAt =
    success && (last === undefined || receivedAt >= last + SUCCESS_MARK_STEP_MS) ? receivedAt : last;
  if (firstSeenAt === item?.firstSeenAt && lastSuccessAt === last) return undefined;
  return { firstSeenAt, ...(lastSuccessAt === undefined ? {} : { lastSuccessAt }) };
}

/**
 * A pending delivered at `eventTime`: its entry, unless the index already holds it at that time or
 * later, or owes it a resolution from a verdict at least as new.
 */
export function withPending(
  entries: PendingEntry[],
  route: Route,
  object: string,
  status: CommitStatus,
  eventTime: number,
  now: number,
  comment?: PendingEntry['comment'],
): PendingEntry[] | undefined {
  const existing = entries.find((entry) => sameIdentity(entry, status));
  if (existing !== undefined && existing.since >= eventTime) return undefined;
  if (existing?.owed !== undefined && existing.owed.eventTime >= eventTime) {
    // Still superseded, but now over this newer pending: the resolution must rank above it.
    return entries.map((entry) => (entry === existing ? { ...entry, since: eventTime, dueAt: now } : entry));
  }
  const timeoutMs = timeoutMsOf(route);
  const entry: PendingEntry = { sha: status.sha, context: status.context, since: eventTime };
  if (status.ref !== undefined) entry.ref = status.ref;
  if (status.summary !== undefined) entry.summary = status.summary;
  if (status.targetUrl !== undefined) entry.targetUrl = status.targetUrl;
  if (comment !== undefined) entry.comment = comment;
  if (timeoutMs !== undefined) Object.assign(entry, { timeoutMs, dueAt: eventTime + timeoutMs });
  const next = [...entries.filter((other) => other !== existing), entry].sort((a, b) => a.since - b.since);
  const waiting = next.filter((other) => other.owed === undefined);
  for (const oldest of waiting.slice(0, Math.max(0, waiting.length - MAX_PENDING_PER_OBJECT))) {
    oldest.owed = {
      state: 'error',
      description: `no verdict from ${route.cluster ?? route.id}; more than ${MAX_PENDING_PER_OBJECT} newer commits are pending on ${object}`,
      targetUrl: oldest.targetUrl ?? '',
      eventTime: oldest.since,
    };
    oldest.dueAt = now;
  }
  return next;
}

/**
 * A verdict delivered at `eventTime`: its own pending is resolved, and every other commit of the
 * object that was pending before it is owed "superseded", due at once.
 */
export function withVerdict(
  entries: PendingEntry[],
  route: Route,
  verdict: CommitStatus,
  eventTime: number,
  now: number,
): PendingEntry[] | undefined {
  let changed = false;
  const next: PendingEntry[] = [];
  for (const entry of entries) {
    if (sameIdentity(entry, verdict) && entry.since <= eventTime) {
      changed = true;
      continue;
    }
    const older = entry.sha !== verdict.sha && entry.since < eventTime;
    if (older && (entry.owed === undefined || entry.owed.eventTime < eventTime)) {
      changed = true;
      next.push({ ...entry, owed: supersededBy(route, verdict, eventTime), dueAt: now });
    } else {
      next.push(entry);
    }
  }
  return changed ? next : undefined;
}

/** Removes an entry once its resolution is written, unless a newer pending or verdict replaced it. */
export function without(entries: PendingEntry[], done: PendingEntry): PendingEntry[] | undefined {
  const next = entries.filter(
    (entry) =>
      !(
        sameIdentity(entry, done) &&
        entry.since === done.since &&
        entry.owed?.eventTime === done.owed?.eventTime
      ),
  );
  return next.length === entries.length ? undefined : next;
}
