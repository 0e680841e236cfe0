import type { Versioned, VersionedStore } from './versioned-store.js';

/**
 * The records of one process: the local server's, and a stack's without the shared table. The same
 * protocols run on it, so they hold among this process's deliveries; across containers only the
 * shared table holds them. Bounded, the least recently used records going first.
 */
export class MemoryStore<T extends Versioned> implements VersionedStore<T> {
  readonly #records = new Map<string, T>();

  constructor(private readonly capacity = 10_000) {}

  /** Always the current record: what any read, eventually consistent or not, may return. */
  async read(key: string, _options?: { consistent?: boolean }): Promise<T | undefined> {
    const record = this.#records.get(key);
    if (record === undefined) return undefined;
    this.#records.delete(key);
    this.#records.set(key, record);
    return structuredClone(record);
  }

  async swap(key: string, expectedVersion: number | undefined, next: T): Promise<boolean> {
    if (this.#records.get(key)?.version !== expectedVersion) return false;
    this.#records.delete(key);
    this.#records.set(key, structuredClone(next));
    if (this.#records.size > this.capacity) {
      const oldest = this.#records.keys().next().value;
      if (oldest !== undefined) this.#records.delete(oldest);
    }
    return true;
  }

  /** Every record, for a subclass's own queries. */
  protected records(): IterableIterator<[string, T]> {
    return this.#records.entries();
  }
}
