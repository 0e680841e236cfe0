import type { CommentJob } from '../delivery/comment-delivery.js';
import type { DeliveryRecord } from '../delivery/delivery-record.js';
import type { ForgeClients } from '../delivery/forge-clients.js';
import type { OrderedOutcome } from '../delivery/ordering.js';
import type { ClusterStatusResult, DeliverStatus, StatusJob } from '../delivery/status-delivery.js';
import type { ClusterReport } from '../fleet/cluster-report.js';
import { reportedOutcome } from '../fleet/fleet-report.js';
import type { RangeResult } from '../ranges/track-ranges.js';

/** The steps that follow a decided status, each made by its own module; the pipeline runs them in order. */
export interface DeliverySteps {
  clients: ForgeClients;
  /** A fleet cluster's verdict to its environment's roll-up (functions/fleet/fleet-report.ts). */
  reportToFleet: (job: StatusJob) => Promise<ClusterReport | undefined>;
  /** The route's own status on the forge (functions/delivery/status-delivery.ts). */
  writeClusterStatus: (job: StatusJob) => Promise<ClusterStatusResult>;
  /** The change request's comment (functions/delivery/comment-delivery.ts). */
  writeComment: (job: CommentJob) => Promise<OrderedOutcome>;
  /** The pending index and the resolutions a verdict makes owed (functions/pending/track-pending.ts). */
  trackPending: (job: StatusJob, outcome: Awaited<ReturnType<DeliverStatus>>) => Promise<void>;
  /** The statuses of the commits a verdict's deployment carried (functions/ranges/track-ranges.ts). */
  trackRange: (job: StatusJob) => Promise<RangeResult | undefined>;
}

/**
 * What follows a decided status, in order, for the webhook, the retry queue, the pending
 * resolutions and the carried commits alike (each step passes over the jobs that are not its own):
 *
 * 1. The route's forge credentials are read into the delivery's secret scope, so that nothing after
 *    quotes them (a Flux message can carry a clone URL with a token in it).
 * 2. A fleet cluster's verdict goes to its environment's roll-up: one small write, and a recompute
 *    request when it changed. It comes before the cluster's own status, so that a forge fault does
 *    not hold the roll-up back.
 * 3. The cluster's own status, when the route writes one, then the change request's comment.
 * 4. The pending index: a pending entered, a verdict's resolutions written.
 * 5. The commit range a final verdict's deployment carried.
 *
 * Each step returns its result; the attempt's record is written here, once, with the results of
 * the steps that ended, whether the delivery ends or fails.
 */
export function createDeliveryPipeline(steps: DeliverySteps): DeliverStatus {
  return async (job) => {
    const results: Partial<DeliveryRecord> = {};
    try {
      await steps.clients.client(job.route, job.scope);
      // The preview URL is the event's text too: scrubbed before any step stores or sends it.
      if (job.preview?.url !== undefined)
        job.preview = { ...job.preview, url: job.scope.redact(job.preview.url) };
      const reported = await steps.reportToFleet(job);
      let outcome: Awaited<ReturnType<DeliverStatus>> = 'skipped';
      // A carried status under a roll-up's identity is written also where the route writes no cluster status.
      if (job.route.clusterStatuses || job.rollupIdentity !== undefined) {
        const written = await steps.writeClusterStatus(job);
        outcome = written.outcome;
        if (written.forgeStatus !== undefined) results.forgeStatus = written.forgeStatus;
      }
      if (job.comment !== undefined) {
        const { route, comment, eventTime, deadline, scope } = job;
        const state = job.status.state;
        results.comment = await steps.writeComment({ route, comment, state, eventTime, deadline, scope });
      }
      if (reported !== undefined) results.rollup = { context: reported.context, report: reported.result };
      outcome = reportedOutcome(job.route, reported, outcome);
      await steps.trackPending(job, outcome);
      const range = await steps.trackRange(job);
      if (range !== undefined) {
        results.range = range.range;
        if (range.reason !== undefined) results.reason = range.reason;
        if (range.failure !== undefined) throw range.failure;
      }
      return outcome;
    } finally {
      Object.assign(job.record, results);
    }
  };
}
