import type { LedgerItem, StatusLedger } from './status-ledger.js';

/**
 * The ledger of one process: the local server's, and a stack's without the shared table. The same
 * protocol runs on it, so ordering holds among this process's deliveries; across containers only
 * the shared ledger holds it. Bounded, the least recently used items going first.
 */
export class MemoryLedger implements StatusLedger {
  readonly #items = new Map<string, LedgerItem>();

  constructor(private readonly capacity = 10_000) {}

  async read(key: string): Promise<LedgerItem | undefined> {
    const item = this.#items.get(key);
    if (item === undefined) return undefined;
    this.#items.delete(key);
    this.#items.set(key, item);
    return structuredClone(item);
  }

  async swap(key: string, expectedVersion: number | undefined, next: LedgerItem): Promise<boolean> {
    if (this.#items.get(key)?.version !== expectedVersion) return false;
    this.#items.delete(key);
    this.#items.set(key, structuredClone(next));
    if (this.#items.size > this.capacity) {
      const oldest = this.#items.keys().next().value;
      if (oldest !== undefined) this.#items.delete(oldest);
    }
    return true;
  }
}
