import { MemoryStore } from './memory-store.js';
import type { RollupRecord } from './rollup-ledger.js';

/** The roll-up records of one process (see `MemoryStore`). */
export class MemoryRollupLedger extends MemoryStore<RollupRecord> {}
