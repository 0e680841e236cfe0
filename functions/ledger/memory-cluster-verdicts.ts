import {
  type ClusterVerdicts,
  type ReportResult,
  reportResult,
  type StoredVerdict,
} from './cluster-verdicts.js';

/**
 * The clusters' verdicts of one process (the local server's, and a stack's without the table):
 * bounded by roll-ups, the least recently used going first.
 */
export class MemoryClusterVerdicts implements ClusterVerdicts {
  readonly #rollups = new Map<string, Map<string, StoredVerdict>>();

  constructor(private readonly capacity = 10_000) {}

  async report(rollup: string, cluster: string, verdict: StoredVerdict): Promise<ReportResult> {
    const items = this.#touch(rollup) ?? new Map<string, StoredVerdict>();
    const current = items.get(cluster);
    const written = current === undefined || current.order < verdict.order;
    if (written) items.set(cluster, { ...verdict });
    this.#rollups.set(rollup, items);
    if (this.#rollups.size > this.capacity) {
      const oldest = this.#rollups.keys().next().value;
      if (oldest !== undefined) this.#rollups.delete(oldest);
    }
    return reportResult(verdict, written, current);
  }

  async query(rollup: string): Promise<Record<string, StoredVerdict>> {
    return Object.fromEntries([...(this.#touch(rollup) ?? new Map())].map(([k, v]) => [k, { ...v }]));
  }

  #touch(rollup: string): Map<string, StoredVerdict> | undefined {
    const items = this.#rollups.get(rollup);
    if (items === undefined) return undefined;
    this.#rollups.delete(rollup);
    this.#rollups.set(rollup, items);
    return items;
  }
}
