import { WriteDeferredError } from '../core/errors.js';
import { forgeDeadline } from '../delivery/budget.js';
import { type DeliveryRecord, type ObserveDelivery, runAttempt } from '../delivery/delivery-record.js';
import type { SecretSource } from '../secrets/secret-source.js';
import type { RecomputeRequest } from './recompute-request.js';
import type { RollupDelivery } from './rollup-delivery.js';

export interface RecomputeRunnerOptions {
  recompute: RollupDelivery['recompute'];
  secrets: SecretSource;
  observe: ObserveDelivery;
  now: () => number;
  budgetMs?: number;
}

/** The log record of a recompute: the roll-up's route, object, commit and context. */
export function recomputeRecord(
  request: RecomputeRequest,
  outcome: DeliveryRecord['outcome'],
): DeliveryRecord {
  const { routeId: route, object, sha, context } = request;
  return { outcome, statusCode: 0, durationMs: 0, route, object, sha, context, rollup: { context } };
}

/**
 * One recompute attempt's end: done (or nothing left to do), or a fault for the queue to retry.
 * `deferAfterMs`: a roll-up write that GitHub's write spacing would hold longer than this throws
 * WriteDeferredError instead of sleeping (set by a consumer that can hand the recompute back).
 */
export type RunRecompute = (
  request: RecomputeRequest,
  invocationDeadline?: number,
  deferAfterMs?: number,
) => Promise<void>;

/**
 * Runs one requested recompute with its own secret scope and deadline, and logs it as a delivery
 * (the roll-up's context, state, outcome and sequence). A fault is logged and thrown, so the queue
 * (the FIFO group, or the in-process serialiser) tries the roll-up again; a request whose route or
 * environment left the config is done.
 */
export function createRecomputeRunner(options: RecomputeRunnerOptions): RunRecompute {
  return async (request, invocationDeadline, deferAfterMs) => {
    const record = recomputeRecord(request, 'failed');
    await runAttempt(options, record, {
      run: async ({ scope, started }) => {
        const deadline = forgeDeadline(started, invocationDeadline, options.budgetMs);
        const result = await options.recompute(request, deadline, scope, deferAfterMs);
        record.statusCode = 200;
        if (result === undefined) {
          record.outcome = 'skipped';
          record.reason = 'the roll-up is no longer in the config';
          return;
        }
        const { context, state, description, outcome, sequence, deployment, promotion } = result;
        record.outcome = outcome;
        record.rollup = { context, state, description, outcome, sequence };
        if (deployment !== undefined) record.rollup.deployment = deployment;
        if (promotion !== undefined) record.rollup.promotion = promotion;
        if (result.range !== undefined) record.range = result.range;
        if (result.rangeReason !== undefined) record.reason = result.rangeReason;
      },
      failed: (error, { scope }) => {
        // Handed back to the queue to run when GitHub's slot is free: late, not failed.
        if (error instanceof WriteDeferredError) record.outcome = 'queued';
        record.reason = scope.redact(error.message);
        throw error;
      },
    });
  };
}
