import { LedgerUnavailableError, OrderingContentionError } from '../core/errors.js';
import type { RollupLedger, RollupRecord } from '../ledger/rollup-ledger.js';
import { advance, type ClusterVerdict, rollupOf } from './rollup.js';

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
    // News that contradicts a resolution ends it for good: the verdicts count again from here.
    if (changed.resolution !== undefined && contradicts(changed.resolution, next)) delete changed.resolution;
    if (await ledgerCall(() => rollups.swap(key, record?.version, changed))) return changed;
  }
  throw new OrderingContentionError(
    `the roll-up record changed on each of ${MAX_ROUNDS} rounds; the delivery will be tried again`,
  );
}

/**
 * A cluster's newer verdict contradicts a resolution unless it is a success after "superseded,
 * deployed with it", which says as much. A timeout's `error` gives way to any news.
 */
function contradicts(resolution: NonNullable<RollupRecord['resolution']>, verdict: ClusterVerdict): boolean {
  return resolution.state === 'error' || verdict.state !== 'success';
}

export async function ledgerCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new LedgerUnavailableError('the delivery ledger could not be read or written', { cause });
  }
}

/**
 * Gives a pending roll-up's record its resolution by compare-and-swap, unless its clusters' verdicts
 * are final already or it holds a resolution at least as new; the record after that, or undefined
 * when there is none.
 */
export async function resolveRecord(
  rollups: RollupLedger,
  key: string,
  clusters: readonly string[],
  resolutionOf: (record: RollupRecord) => NonNullable<RollupRecord['resolution']>,
): Promise<RollupRecord | undefined> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const record = await ledgerCall(() => rollups.read(key));
    if (record === undefined) return undefined;
    const resolution = resolutionOf(record);
    const settled = rollupOf(clusters, record.verdicts).state !== 'pending';
    if (settled || (record.resolution?.order ?? '') >= resolution.order) return record;
    const changed: RollupRecord = { ...record, resolution, version: record.version + 1 };
    if (await ledgerCall(() => rollups.swap(key, record.version, changed))) return changed;
  }
  throw new OrderingContentionError(
    `the roll-up record changed on each of ${MAX_ROUNDS} rounds; the resolution will be tried again`,
  );
}
