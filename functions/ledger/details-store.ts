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
  /**
   * On a roll-up's page: where its clusters' verdicts are (the fleet table's partition) and its
   * environment. The page reads them when it is opened; the record has no entries of its own.
   */
  rollup: z.optional(z.object({ key: z.string(), environment: z.string() })),
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
 * Each text's bound in bytes as stored (its JSON form, where a control character takes six): with
 * MAX_DETAILS_ENTRIES entries a record stays near 130 KB, whatever the characters, far below
 * DynamoDB's 400 KB item limit.
 */
const FIELD_BYTES = { message: MAX_DETAILS_MESSAGE, reason: 256, revision: 1024, cluster: 256, object: 1024 };

/** The longest start of `text` whose JSON form fits in `maxBytes`, cut as `truncate` cuts. */
function truncateStoredBytes(text: string, maxBytes: number): string {
  const fits = (candidate: string) => Buffer.byteLength(JSON.stringify(candidate)) <= maxBytes;
  if (fits(text)) return text;
  let [low, high] = [0, Array.from(text).length];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(truncate(text, middle))) low = middle;
    else high = middle - 1;
  }
  return truncate(text, low);
}

function boundedEntry(entry: DetailsEntry): DetailsEntry {
  const bounded = { ...entry };
  for (const [field, maxBytes] of Object.entries(FIELD_BYTES) as Array<[keyof typeof FIELD_BYTES, number]>) {
    bounded[field] = truncateStoredBytes(entry[field], maxBytes);
  }
  return bounded;
}

/** The same verdict told again (a Flux re-send, a redelivery): only its time differs. */
function sameVerdict(a: DetailsEntry, b: DetailsEntry): boolean {
  return (
    a.state === b.state &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.cluster === b.cluster &&
    a.revision === b.revision &&
    a.object === b.object
  );
}

/**
 * The record with one more entry, in event order whatever the order of arrival; undefined when the
 * entry adds nothing: one it holds, or the same verdict as the entry just before it in event order
 * (a re-send), so the record is written when the verdict changes, not at every event. An older
 * event that arrives late is added in its place. The oldest entries fall off past the bound.
 */
export function withEntry(
  record: DetailsRecord | undefined,
  subject: DetailsSubject,
  entry: DetailsEntry,
  expiresAt: number,
): DetailsRecord | undefined {
  const bounded = boundedEntry(entry);
  const entries = record?.entries ?? [];
  const place = entries.findIndex((old) => newerFirst(bounded, old) <= 0);
  const at = place < 0 ? entries.length : place;
  // The entry just older than it tells the same verdict: this is its re-send (or the entry itself).
  const older = entries[at];
  if (older !== undefined && sameVerdict(older, bounded)) return undefined;
  const next = [...entries.slice(0, at), bounded, ...entries.slice(at)].slice(0, MAX_DETAILS_ENTRIES);
  return {
    ...subject,
    ...(record?.carried === undefined ? {} : { carried: record.carried }),
    entries: next,
    version: (record?.version ?? 0) + 1,
    expiresAt: Math.max(expiresAt, record?.expiresAt ?? 0),
  };
}

/**
 * Adds an entry by compare-and-swap, so that concurrent deliveries of one identity lose none;
 * `repeat` when the record already told this verdict and was left as it is.
 */
export function appendDetails(
  store: DetailsStore,
  id: string,
  subject: DetailsSubject,
  entry: DetailsEntry,
  expiresAt: number,
): Promise<'added' | 'repeat'> {
  return compareAndSwap('the details record', async () => {
    const record = await storeCall(() => store.read(id));
    const next = withEntry(record, subject, entry, expiresAt);
    if (next === undefined) return 'repeat' as const;
    return (await storeCall(() => store.swap(id, record?.version, next))) ? ('added' as const) : CONFLICT;
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

/**
 * How long before its expiry a roll-up's page record is written again: at most once a day per
 * roll-up, so its recomputes cost a read, and the page lives 29 to 30 days past the last one.
 */
const ROLLUP_PAGE_REFRESH_SECONDS = 24 * 3600;

/** Makes the record of a roll-up's page, or keeps it from expiring; a record at most a day old is left alone. */
export function rememberRollupPage(
  store: DetailsStore,
  id: string,
  subject: DetailsSubject & Required<Pick<DetailsRecord, 'rollup'>>,
  expiresAt: number,
): Promise<void> {
  return compareAndSwap('the details record', async () => {
    const record = await storeCall(() => store.read(id));
    if (record !== undefined && record.expiresAt > expiresAt - ROLLUP_PAGE_REFRESH_SECONDS) return undefined;
    // The commits its deployment carried stay listed when the record is kept from expiring.
    const carried = record?.carried === undefined ? {} : { carried: record.carried };
    const next: DetailsRecord = {
      ...subject,
      ...carried,
      entries: [],
      version: (record?.version ?? 0) + 1,
      expiresAt,
    };
    return (await storeCall(() => store.swap(id, record?.version, next))) ? undefined : CONFLICT;
  });
}

async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new LedgerUnavailableError('the details record could not be read or written', { cause });
  }
}
