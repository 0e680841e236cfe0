import { MemoryStore } from './memory-store.js';
import type { LedgerItem } from './status-ledger.js';

/** The status ledger of one process (see `MemoryStore`). */
export class MemoryLedger extends MemoryStore<LedgerItem> {}
