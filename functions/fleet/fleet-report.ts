import type { Route } from '../config/route-schema.js';
import type { DeliverStatus, StatusJob } from '../delivery/status-delivery.js';
import type { ClusterReport, ReportVerdict } from './cluster-report.js';
import type { RollupTarget } from './rollup-place.js';

/**
 * A fleet cluster's report: its verdict goes to its environment's roll-up (one small write, and a
 * recompute request when it changed). Undefined for a route of no fleet environment, an object the
 * roll-up does not count, and a resolution of a cluster's pending status (`replaces`), which is not
 * news from the cluster.
 */
export function createFleetReport(targets: ReadonlyMap<string, RollupTarget>, report: ReportVerdict) {
  return async (job: StatusJob): Promise<ClusterReport | undefined> => {
    const { route, object } = job;
    const target = route.environment === undefined ? undefined : targets.get(route.environment);
    if (target === undefined || object === undefined || job.replaces !== undefined) return undefined;
    const { status, eventTime, scope, preview } = job;
    return report({ route, target, object, status, eventTime, scope, ...(preview ? { preview } : {}) });
  };
}

type Outcome = Awaited<ReturnType<DeliverStatus>>;

/**
 * The delivery's outcome on a route that writes no cluster status (`clusterStatuses: false`): its
 * report's. On any other route, the cluster status's own.
 */
export function reportedOutcome(
  route: Route,
  reported: ClusterReport | undefined,
  outcome: Outcome,
): Outcome {
  if (reported === undefined || route.clusterStatuses) return outcome;
  return reported.result === 'changed'
    ? 'recorded'
    : reported.result === 'stale'
      ? 'superseded'
      : 'duplicate';
}
