import type { DeliverStatus } from '../delivery/status-delivery.js';
import type { ReportVerdict } from './cluster-report.js';
import type { RollupTarget } from './rollup-place.js';

/**
 * A fleet cluster's delivery: its verdict goes to its environment's roll-up first (one small write,
 * and a recompute request when it changed), then its own status, when the route writes one. A
 * resolution of a cluster's pending status (`replaces`) is not news from the cluster: not reported.
 */
export function fleetDelivery(
  deliverStatus: DeliverStatus,
  targets: ReadonlyMap<string, RollupTarget>,
  report: ReportVerdict,
): DeliverStatus {
  return async (job) => {
    const { route, object } = job;
    const target = route.environment === undefined ? undefined : targets.get(route.environment);
    if (target === undefined || object === undefined || job.replaces !== undefined) return deliverStatus(job);
    const { status, eventTime, scope, preview } = job;
    const reported = await report({
      route,
      target,
      object,
      status,
      eventTime,
      scope,
      ...(preview ? { preview } : {}),
    });
    const outcome = await deliverStatus(job);
    if (reported === undefined) return outcome;
    job.record.rollup = { context: reported.context, report: reported.result };
    if (route.clusterStatuses) return outcome;
    return reported.result === 'changed'
      ? 'recorded'
      : reported.result === 'stale'
        ? 'superseded'
        : 'duplicate';
  };
}
