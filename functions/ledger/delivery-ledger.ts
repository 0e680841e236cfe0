/**
 * What was last written for one status identity (forge, repository, sha, context), and the time of
 * the event that set it. The relay reads it before calling the forge and records every write.
 */
export interface LedgerEntry {
  state: string;
  description: string;
  targetUrl: string;
  /** The Flux event's timestamp, in epoch milliseconds: a newer event always wins. */
  eventTime: number;
}

export type RecordResult = 'recorded' | 'superseded';

export interface DeliveryLedger {
  read(key: string): Promise<LedgerEntry | undefined>;
  /** Records the entry unless the ledger already holds one from a newer event. */
  record(key: string, entry: LedgerEntry): Promise<RecordResult>;
}

export function ledgerKey(parts: readonly string[]): string {
  return parts.join('|');
}

/**
 * The order of entries: by event time, and at the same time (Flux's timestamps have whole seconds) a
 * final state after a pending one, so a late Progressing never turns a verdict back into pending.
 */
export function eventOrder(entry: Pick<LedgerEntry, 'eventTime' | 'state'>): number {
  return entry.eventTime * 2 + (entry.state === 'pending' ? 0 : 1);
}

/** Whether `known` comes from a later event than `entry`, which then must not be written. */
export function supersedes(known: LedgerEntry, entry: LedgerEntry): boolean {
  return eventOrder(known) > eventOrder(entry);
}

export function sameStatus(a: LedgerEntry, b: LedgerEntry): boolean {
  return a.state === b.state && a.description === b.description && a.targetUrl === b.targetUrl;
}
