import { type DeliveryLedger, type LedgerEntry, type RecordResult, supersedes } from './delivery-ledger.js';

/**
 * This process's own ledger: a repeat of a status it already wrote costs no call at all. Bounded,
 * the least recently used entries going first.
 */
export class MemoryLedger implements DeliveryLedger {
  readonly #entries = new Map<string, LedgerEntry>();

  constructor(private readonly capacity = 10_000) {}

  async read(key: string): Promise<LedgerEntry | undefined> {
    return this.peek(key);
  }

  peek(key: string): LedgerEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  async record(key: string, entry: LedgerEntry): Promise<RecordResult> {
    return this.remember(key, entry);
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
