import { type LedgerEntry, type RecordResult, supersedes } from './delivery-ledger.js';

/**
 * This process's own ledger: without a shared one (the local server, or a stack with the ledger
 * off) a repeat of a status it already wrote costs no call at all, and it stands in while the shared
 * ledger fails. Bounded, the least recently used entries going first.
 */
export class MemoryLedger {
  readonly #entries = new Map<string, LedgerEntry>();

  constructor(private readonly capacity = 10_000) {}

  peek(key: string): LedgerEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  remember(key: string, entry: LedgerEntry): RecordResult {
    const current = this.#entries.get(key);
    if (current !== undefined && supersedes(current, entry)) return 'superseded';
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return 'recorded';
  }
}
