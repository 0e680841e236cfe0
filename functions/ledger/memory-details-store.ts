import type { DetailsRecord } from './details-store.js';
import { MemoryStore } from './memory-store.js';

/** The details pages of one process (see `MemoryStore`): fewer, as each holds a history. */
export class MemoryDetailsStore extends MemoryStore<DetailsRecord> {
  constructor(capacity = 1_000) {
    super(capacity);
  }
}
