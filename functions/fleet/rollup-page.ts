import type { RollupPageView } from '../details/render-rollup-page.js';
import type { ClusterVerdicts } from '../ledger/cluster-verdicts.js';
import type { DetailsRecord } from '../ledger/details-store.js';
import type { RollupLedger } from '../ledger/rollup-ledger.js';
import { rollupOfRecord } from './rollup.js';
import { type RollupTarget, recordKeyOf } from './rollup-place.js';

export interface RollupPagesOptions {
  clusters: ClusterVerdicts;
  rollups: RollupLedger;
  /** The fleet environments by name, with their clusters. */
  targets: ReadonlyMap<string, RollupTarget>;
}

/** Reads what a roll-up's page shows; undefined when the record is no roll-up's, or its environment left the config. */
export type ReadRollupPage = (record: DetailsRecord) => Promise<RollupPageView | undefined>;

/**
 * A roll-up's page as it is when opened: its clusters' items (the consumer's one strongly
 * consistent query) and its record's resolution, computed as the consumer computes the roll-up,
 * so the page and the check agree. Nothing of it is written per report.
 */
export function rollupPages(options: RollupPagesOptions): ReadRollupPage {
  return async (record) => {
    const place = record.rollup;
    const target = place === undefined ? undefined : options.targets.get(place.environment);
    if (place === undefined || target === undefined) return undefined;
    const [verdicts, stored] = await Promise.all([
      options.clusters.query(place.key),
      options.rollups.read(recordKeyOf(place.key)),
    ]);
    const { state, description } = rollupOfRecord(
      target.clusters,
      verdicts,
      stored?.resolution,
      target.environment.counts,
    );
    return {
      context: record.context,
      repository: record.repository,
      sha: record.sha,
      environment: target.name,
      state,
      description,
      clusters: target.clusters.map((name) => ({
        name,
        verdict: Object.hasOwn(verdicts, name) ? verdicts[name] : undefined,
      })),
      carried: record.carried,
    };
  };
}
