import * as z from 'zod/mini';
import { STATUS_STATES } from '../core/commit-status.js';
import { CONFLICT, compareAndSwap } from '../core/compare-and-swap.js';
import { LedgerUnavailableError } from '../core/errors.js';
import { truncate } from '../core/text.js';
import type { VersionedStore } from './versioned-store.js';

/** The verdicts a page lists: enough for "pending, failure, success" and a few retries before them. */
export const MAX_DETAILS_ENTRIES = 12;
/** A Flux message is at most 64 KiB; the page keeps the part a person reads, so a record stays small. */
export const MAX_DETAILS_MESSAGE = 8 * 1024;

/** One event's verdict, as the page shows it; every text from the event, scrubbed before it is stored. */
export const DetailsEntrySchema = z.object({
  /** The event's place in the ordering protocol's order (`eventOrder`): the newest is the verdict. */
  order: z.string(),
  state: z.enum(STATUS_STATES),
  reason: z.string(),
  message: z.string(),
  revision: z.string(),
  cluster: z.string(),
  /** `Kind/namespace/name` of the Flux object. */
  object: z.string(),
  /** The event's own timestamp, and when this service received it (ISO 8601). */
  eventTime: z.string(),
  receivedAt: z.string(),
});
export type DetailsEntry = z.infer<typeof DetailsEntrySchema>;

/** The commits a deployment carried since the object's last one (functions/ranges/), newest first. */
export const CarriedCommitsSchema = z.object({
  base: z.string(),
  commits: z.array(z.string()).check(z.maxLength(250)),
  /** Left out past the route's rangeLimit (at least this many when `more`). */
  left: z.number(),
  more: z.boolean(),
});
export type CarriedCommits = z.infer<typeof CarriedCommitsSchema>;

/** What a details page shows of one status identity. */
export const DetailsRecordSchema = z.object({
  /** The status identity the link's token is made over; the page checks the token against it. */
  identity: z.string(),
  forge: z.string(),
  repository: z.string(),
  sha: z.string(),
  context: z.string(),
  /** Newest first, at most MAX_DETAILS_ENTRIES. */
  entries: z.array(DetailsEntrySchema),
  /** The commits the deployment of this status's commit carried, once its verdict was final. */
  carried: z.optional(CarriedCommitsSchema),
  version: z.number(),
  /** Epoch seconds, as the ledger's TTL: the page is gone with the ledger's memory of the identity. */
  expiresAt: z.number(),
});
export type DetailsRecord = z.infer<typeof DetailsRecordSchema>;
export type DetailsSubject = Pick<DetailsRecord, 'identity' | 'forge' | 'repository' | 'sha' | 'context'>;

/**
 * The pages' storage beside the ledger, in records of their own so that the ordering protocol's item
 * stays as it is: a read, and a compare-and-swap on `version`.
 */
export type DetailsStore = VersionedStore<DetailsRecord>;

/** Newest first by event order; two events of the same order (same second, same verdict) by text. */
function newerFirst(a: DetailsEntry, b: DetailsEntry): number {
  if (a.order !== b.order) return a.order < b.order ? 1 : -1;
  if (a.message !== b.message) return a.message < b.message ? 1 : -1;
  return 0;
}

/**
 * The record with one more entry, in event order whatever the order of arrival: a repeat of an
 * entry it holds changes nothing but the expiry, and the oldest entries fall off past the bound.
 */
export function withEntry(
  record: DetailsRecord | undefined,
  subject: DetailsSubject,
  entry: DetailsEntry,
  expiresAt: number,
): DetailsRecord {
  const bounded = { ...entry, message: truncate(entry.message, MAX_DETAILS_MESSAGE) };
  const entries = record?.entries ?? [];
  const known = entries.some((old) => old.order === bounded.order && old.message === bounded.message);
  const next = known ? entries : [...entries, bounded].sort(newerFirst).slice(0, MAX_DETAILS_ENTRIES);
  return {
    ...subject,
    ...(record?.carried === undefined ? {} : { carried: record.carried }),
    entries: next,
    version: (record?.version ?? 0) + 1,
    expiresAt: Math.max(expiresAt, record?.expiresAt ?? 0),
  };
}

/** Adds an entry by compare-and-swap, so that concurrent deliveries of one identity lose none. */
export function appendDetails(
  store: DetailsStore,
  id: string,
  subject: DetailsSubject,
  entry: DetailsEntry,
  expiresAt: number,
): Promise<void> {
  return compareAndSwap('the details record', async () => {
    const record = await storeCall(() => store.read(id));
    const next = withEntry(record, subject, entry, expiresAt);
    return (await storeCall(() => store.swap(id, record?.version, next))) ? undefined : CONFLICT;
  });
}

/** Records what the deployment carried on a page that exists; a page not made yet is left alone. */
export function rememberCarried(store: DetailsStore, id: string, carried: CarriedCommits): Promise<void> {
  return compareAndSwap('the details record', async () => {
    const record = await storeCall(() => store.read(id));
    if (record === undefined) return undefined;
    const next = { ...record, carried, version: record.version + 1 };
    return (await storeCall(() => store.swap(id, record.version, next))) ? undefined : CONFLICT;
  });
}

async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new LedgerUnavailableError('the details record could not be read or written', { cause });
  }
}
