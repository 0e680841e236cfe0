import { CONFLICT, compareAndSwap } from '../core/compare-and-swap.js';
import type { RollupLedger, RollupRecord } from '../ledger/rollup-ledger.js';
import { ledgerCall } from '../ledger/store-call.js';
import { advance, type ClusterVerdict } from './rollup.js';

/**
 * Puts a member's verdict (an object's roll-up, on a deployment record) into the record unless it
 * holds a newer one; the record after that.
 */
export function recordVerdict(
  rollups: RollupLedger,
  key: string,
  member: string,
  verdict: ClusterVerdict,
  /** A record made anew starts at this `createdAt`, so its sequence follows the old record's. */
  createdAt: () => Promise<number>,
): Promise<RollupRecord> {
  return compareAndSwap('the deployment record', async () => {
    const record = await ledgerCall(() => rollups.read(key));
    const current = record?.verdicts?.[member];
    const next = advance(current, verdict);
    if (record !== undefined && next === current) return record;
    const changed: RollupRecord = {
      ...(record ?? { createdAt: await createdAt() }),
      verdicts: { ...record?.verdicts, [member]: next },
      version: (record?.version ?? 0) + 1,
    };
    return (await ledgerCall(() => rollups.swap(key, record?.version, changed))) ? changed : CONFLICT;
  });
}

/**
 * Gives a pending roll-up's record its resolution by compare-and-swap; true when it did, false when
 * there is nothing to resolve: no record, its clusters' verdicts final already (a verdict came
 * first, and its own recompute wrote the roll-up), or a resolution at least as new.
 */
export function resolveRecord(
  rollups: RollupLedger,
  key: string,
  settled: () => Promise<boolean>,
  resolutionOf: (record: RollupRecord) => Promise<NonNullable<RollupRecord['resolution']>>,
): Promise<boolean> {
  return compareAndSwap('the roll-up record', async () => {
    const record = await ledgerCall(() => rollups.read(key));
    if (record === undefined || (await settled())) return false;
    const resolution = await resolutionOf(record);
    if ((record.resolution?.order ?? '') >= resolution.order) return false;
    const changed: RollupRecord = { ...record, resolution, version: record.version + 1 };
    return (await ledgerCall(() => rollups.swap(key, record.version, changed))) ? true : CONFLICT;
  });
}
