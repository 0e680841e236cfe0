import { MemoryStore } from './memory-store.js';
import { dueAtOf, type PendingIndex, type PendingObject } from './pending-index.js';

/** The pending index of one process (see `MemoryStore`): the due items found by looking at each. */
export class MemoryPendingIndex extends MemoryStore<PendingObject> implements PendingIndex {
  async due(now: number, limit: number): Promise<string[]> {
    const due: Array<[string, number]> = [];
    for (const [key, item] of this.records()) {
      const at = dueAtOf(item);
      if (at !== undefined && at <= now) due.push([key, at]);
    }
    return due
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([key]) => key);
  }
}
