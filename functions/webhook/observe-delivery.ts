import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DeliveryRecord } from '../delivery/delivery-record.js';

export const METRICS_NAMESPACE = 'FluxCommitStatus';
export const SERVICE_NAME = 'flux-commit-status';

/**
 * One JSON log line per delivery, and EMF metrics: `Deliveries` by outcome and forge,
 * `FailedDeliveries` alone so that one alarm watches every route's final failures,
 * `DeliveryRetries` for the queued attempts that will be tried again (a forge blip the queue absorbs
 * raises no alarm), and `ContentionGiveUps`.
 */
export function observeDelivery(logger: Logger, metrics?: Metrics): (record: DeliveryRecord) => void {
  // One single-metric instance for every delivery: each publish clears its dimensions, and a new one
  // per delivery (metrics.singleMetric()) would build a Console every time, about 0.1 ms of CPU.
  const deliveries = metrics?.singleMetric();
  return (record) => {
    const message = `delivery ${record.outcome}`;
    if (record.outcome === 'failed') logger.error(message, { ...record });
    else if (record.outcome === 'rejected' || record.outcome === 'retrying')
      logger.warn(message, { ...record });
    else logger.info(message, { ...record });
    if (metrics === undefined || deliveries === undefined) return;
    deliveries.addDimensions({ outcome: record.outcome, forge: record.forge ?? 'none' });
    deliveries.addMetric('Deliveries', MetricUnit.Count, 1);
    // A compare-and-swap that gave up (core/compare-and-swap.ts): contention the backoff did not absorb.
    const contention = record.errorName === 'OrderingContentionError';
    const counted = { failed: 'FailedDeliveries', retrying: 'DeliveryRetries' }[record.outcome as 'failed'];
    if (counted === undefined && !contention) return;
    // Only these store a metric: an empty flush would log Powertools' warning on every delivery.
    if (counted !== undefined) metrics.addMetric(counted, MetricUnit.Count, 1);
    if (contention) metrics.addMetric('ContentionGiveUps', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  };
}

/** The metric of details pages that could not be served (infra/constructs/delivery-alarms.ts alarms on it). */
export const DETAILS_PAGE_FAILURES_METRIC = 'DetailsPageFailures';

/** A page that answered 503: an error line and one count, so a botched key rotation raises the alarm. */
export function observeDetailsFailure(
  logger: Logger,
  metrics?: Metrics,
): (failure: { reason: string; errorName: string }) => void {
  return (failure) => {
    logger.error('details page failed', { ...failure });
    if (metrics === undefined) return;
    metrics.addMetric(DETAILS_PAGE_FAILURES_METRIC, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  };
}
