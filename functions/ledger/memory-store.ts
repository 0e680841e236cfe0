import { LedgerUnavailableError } from '../core/errors.js';
import { LEDGER_TTL_SECONDS } from './dynamodb-store.js';
import type { Versioned, VersionedStore } from './versioned-store.js';

/**
 * The records of one process: the local server's, and a stack's without the shared table. The same
 * protocols run on it, so they hold among this process's deliveries; across containers only the
 * shared table holds them.
 *
 * Bounded without forgetting what still orders events: past `capacity`, the least recently used
 * record goes only once it is as old as the shared table's TTL (which forgets it too); until then a
 * new record is refused with a passing fault, so the delivery is answered 503 or queued and comes
 * back later, rather than an older event being written over a status this store forgot.
 */
export class MemoryStore<T extends Versioned> implements VersionedStore<T> {
  readonly #records = new Map<string, { record: T; writtenAt: number }>();

  constructor(
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Always the current record: what any read, eventually consistent or not, may return. */
  async read(key: string, _options?: { consistent?: boolean }): Promise<T | undefined> {
    const held = this.#records.get(key);
    if (held === undefined) return undefined;
    this.#records.delete(key);
    this.#records.set(key, held);
    return structuredClone(held.record);
  }

  async swap(key: string, expectedVersion: number | undefined, next: T): Promise<boolean> {
    const held = this.#records.get(key);
    if (held?.record.version !== expectedVersion) return false;
    if (held === undefined && this.#records.size >= this.capacity) this.#makeRoom();
    this.#records.delete(key);
    this.#records.set(key, { record: structuredClone(next), writtenAt: this.now() });
    return true;
  }

  #makeRoom(): void {
    const [oldest] = this.#records;
    if (oldest !== undefined && oldest[1].writtenAt + LEDGER_TTL_SECONDS * 1000 <= this.now()) {
      this.#records.delete(oldest[0]);
      return;
    }
    throw new LedgerUnavailableError(
      `this process's ledger holds ${this.capacity} records written within the ledger's TTL; a new one waits until the oldest expires (use the shared table)`,
    );
  }

  /** Every record, for a subclass's own queries. */
  protected *records(): IterableIterator<[string, T]> {
    for (const [key, held] of this.#records) yield [key, held.record];
  }
}
