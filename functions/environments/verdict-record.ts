import { LedgerUnavailableError, OrderingContentionError } from '../core/errors.js';
import type { RollupLedger, RollupRecord } from '../ledger/rollup-ledger.js';
import { advance, type ClusterVerdict } from './rollup.js';

const MAX_ROUNDS = 20;

/**
 * Puts a member's verdict (a cluster's, or an object's roll-up) into the record unless it holds a
 * newer one; the record after that.
 */
export async function recordVerdict(
  rollups: RollupLedger,
  key: string,
  member: string,
  verdict: ClusterVerdict,
): Promise<RollupRecord> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const record = await ledgerCall(() => rollups.read(key));
    const current = record?.verdicts[member];
    const next = advance(current, verdict);
    if (record !== undefined && next === current) return record;
    const changed: RollupRecord = {
      ...(record ?? {}),
      verdicts: { ...record?.verdicts, [member]: next },
      version: (record?.version ?? 0) + 1,
    };
    if (await ledgerCall(() => rollups.swap(key, record?.version, changed))) return changed;
  }
  throw new OrderingContentionError(
    `the roll-up record changed on each of ${MAX_ROUNDS} rounds; the delivery will be tried again`,
  );
}

export async function ledgerCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new LedgerUnavailableError('the delivery ledger could not be read or written', { cause });
  }
}
