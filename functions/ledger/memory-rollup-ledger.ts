import type { RollupLedger, RollupRecord } from './rollup-ledger.js';

/** The roll-up records of one process, bounded like `MemoryLedger` (least recently used first). */
export class MemoryRollupLedger implements RollupLedger {
  readonly #records = new Map<string, RollupRecord>();

  constructor(private readonly capacity = 10_000) {}

  async read(key: string): Promise<RollupRecord | undefined> {
    const record = this.#records.get(key);
    if (record === undefined) return undefined;
    this.#records.delete(key);
    this.#records.set(key, record);
    return structuredClone(record);
  }

  async swap(key: string, expectedVersion: number | undefined, next: RollupRecord): Promise<boolean> {
    if (this.#records.get(key)?.version !== expectedVersion) return false;
    this.#records.delete(key);
    this.#records.set(key, structuredClone(next));
    if (this.#records.size > this.capacity) {
      const oldest = this.#records.keys().next().value;
      if (oldest !== undefined) this.#records.delete(oldest);
    }
    return true;
  }
}
