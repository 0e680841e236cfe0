import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  CONTENTION_GIVE_UPS_METRIC,
  DELIVERIES_METRIC,
  DELIVERY_RETRIES_METRIC,
  DETAILS_PAGE_FAILURES_METRIC,
  FAILED_DELIVERIES_METRIC,
} from '../config/function-environment.js';
import type { DeliveryRecord } from '../delivery/delivery-record.js';

/** One re-send in this many is logged at info, marked `sampled`; the others at debug. */
export const RESEND_SAMPLE_EVERY = 100;
/** How often at most the re-sends' summary line and metric are written. */
export const RESEND_SUMMARY_MS = 60_000;

/**
 * One JSON log line per delivery that changed something or failed, and EMF metrics: `Deliveries` by
 * outcome and forge, `FailedDeliveries` alone so that one alarm watches every route's final
 * failures, `DeliveryRetries` for the queued attempts that will be tried again (a forge blip the
 * queue absorbs raises no alarm), and `ContentionGiveUps`.
 *
 * A re-send (`duplicate`: the forge already shows the status) is most of what Flux sends and changes
 * nothing: its line is at debug, one in RESEND_SAMPLE_EVERY is kept at info, and the rest are counted
 * into one summary line and one `Deliveries` metric per forge at most once a minute, written with
 * the first delivery after the minute (a container's last minute is written with its next event, or
 * lost with the container). The first event of a status, every change and every failure stay at info.
 */
export function createDeliveryObserver(
  logger: Logger,
  metrics?: Metrics,
  now: () => number = Date.now,
): (record: DeliveryRecord) => void {
  // One single-metric instance for every delivery: each publish clears its dimensions, and a new one
  // per delivery (metrics.singleMetric()) would build a Console every time, about 0.1 ms of CPU.
  const deliveries = metrics?.singleMetric();
  const count = (outcome: string, forge: string, value: number) => {
    if (deliveries === undefined) return;
    deliveries.addDimensions({ outcome, forge });
    deliveries.addMetric(DELIVERIES_METRIC, MetricUnit.Count, value);
  };
  let resends = new Map<string, number>();
  let since = now();
  let sampled = 0;

  function summarise(at: number): void {
    const total = [...resends.values()].reduce((sum, value) => sum + value, 0);
    if (total > 0) {
      logger.info('deliveries unchanged', {
        outcome: 'duplicate',
        count: total,
        byForge: Object.fromEntries(resends),
        since: new Date(since).toISOString(),
      });
      for (const [forge, value] of resends) count('duplicate', forge, value);
    }
    resends = new Map();
    since = at;
  }

  return (record) => {
    const at = now();
    if (at - since >= RESEND_SUMMARY_MS) summarise(at);
    const message = `delivery ${record.outcome}`;
    const forge = record.forge ?? 'none';
    if (record.outcome === 'duplicate') {
      resends.set(forge, (resends.get(forge) ?? 0) + 1);
      if (sampled++ % RESEND_SAMPLE_EVERY === 0)
        logger.info(message, { ...record, sampled: RESEND_SAMPLE_EVERY });
      else logger.debug(message, record as unknown as Record<string, unknown>);
      return;
    }
    if (record.outcome === 'failed') logger.error(message, { ...record });
    else if (record.outcome === 'rejected' || record.outcome === 'retrying')
      logger.warn(message, { ...record });
    else logger.info(message, { ...record });
    count(record.outcome, forge, 1);
    if (metrics === undefined) return;
    // A compare-and-swap that gave up (core/compare-and-swap.ts): contention the backoff did not absorb.
    const contention = record.errorName === 'OrderingContentionError';
    const counted = { failed: FAILED_DELIVERIES_METRIC, retrying: DELIVERY_RETRIES_METRIC }[
      record.outcome as 'failed'
    ];
    if (counted === undefined && !contention) return;
    // Only these store a metric: an empty flush would log Powertools' warning on every delivery.
    if (counted !== undefined) metrics.addMetric(counted, MetricUnit.Count, 1);
    if (contention) metrics.addMetric(CONTENTION_GIVE_UPS_METRIC, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  };
}

/** The metric of details pages that could not be served (infra/constructs/delivery-alarms.ts alarms on it). */

/** A page that answered 503: an error line and one count, so a botched key rotation raises the alarm. */
export function createDetailsFailureObserver(
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
