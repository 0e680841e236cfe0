import { dueAtOf, type PendingIndex, type PendingObject } from './pending-index.js';

/**
 * The pending index of one process (the local server's, or a stack's without the shared table).
 * Bounded like the memory ledger, the least recently changed items going first.
 */
export class MemoryPendingIndex implements PendingIndex {
  readonly #items = new Map<string, PendingObject>();

  constructor(private readonly capacity = 10_000) {}

  async read(key: string): Promise<PendingObject | undefined> {
    const item = this.#items.get(key);
    return item === undefined ? undefined : structuredClone(item);
  }

  async swap(key: string, expectedVersion: number | undefined, next: PendingObject): Promise<boolean> {
    if (this.#items.get(key)?.version !== expectedVersion) return false;
    this.#items.delete(key);
    this.#items.set(key, structuredClone(next));
    if (this.#items.size > this.capacity) {
      const oldest = this.#items.keys().next().value;
      if (oldest !== undefined) this.#items.delete(oldest);
    }
    return true;
  }

  async due(now: number, limit: number): Promise<string[]> {
    const due: Array<[string, number]> = [];
    for (const [key, item] of this.#items) {
      const at = dueAtOf(item);
      if (at !== undefined && at <= now) due.push([key, at]);
    }
    return due
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([key]) => key);
  }
}
