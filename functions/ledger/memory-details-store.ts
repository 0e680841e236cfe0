import type { DetailsRecord, DetailsStore } from './details-store.js';

/** The pages of one process (the local server, or a stack without the shared table), bounded like its ledger. */
export class MemoryDetailsStore implements DetailsStore {
  readonly #records = new Map<string, DetailsRecord>();

  constructor(private readonly capacity = 1_000) {}

  async read(id: string): Promise<DetailsRecord | undefined> {
    const record = this.#records.get(id);
    return record === undefined ? undefined : structuredClone(record);
  }

  async swap(id: string, expectedVersion: number | undefined, next: DetailsRecord): Promise<boolean> {
    if (this.#records.get(id)?.version !== expectedVersion) return false;
    this.#records.delete(id);
    this.#records.set(id, structuredClone(next));
    if (this.#records.size > this.capacity) {
      const oldest = this.#records.keys().next().value;
      if (oldest !== undefined) this.#records.delete(oldest);
    }
    return true;
  }
}
