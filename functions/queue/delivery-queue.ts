import * as z from 'zod/mini';
import { ChangeRequestCommentSchema } from '../core/change-request-comment.js';
import { CommitStatusSchema } from '../core/commit-status.js';
import { PreviewSchema } from '../core/preview.js';

/**
 * A status whose forge (or ledger) was still failing when the webhook's time ran out. It was
 * authenticated and decided before it was queued; on receipt it is parsed with this schema again,
 * and its route must still exist, before anything is written.
 */
export const QueuedDeliverySchema = z.object({
  routeId: z.string().check(z.minLength(1), z.maxLength(63)),
  eventTime: z.number().check(z.gte(0)),
  /** `Kind/namespace/name` of the Flux object, for the log lines of later attempts. */
  object: z.optional(z.string().check(z.maxLength(512))),
  status: CommitStatusSchema,
  /** A status for a commit a deployment carried (functions/ranges/), ranked below the commit's own. */
  carried: z.optional(z.boolean()),
  /** A carried status's ledger identity on a fleet roll-up's context (`StatusJob.identity`). */
  rollupIdentity: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  /** The change request's comment the delivery also owes (`changeRequestComments`). */
  comment: z.optional(ChangeRequestCommentSchema),
  /** The event's preview environment, for its fleet environment's deployment. */
  preview: z.optional(PreviewSchema),
});

export type QueuedDelivery = z.infer<typeof QueuedDeliverySchema>;

export interface DeliveryQueue {
  /** `delaySeconds`: when the delivery is due (a deferred write's wait); the first backoff when absent. */
  enqueue(delivery: QueuedDelivery, reason: string, delaySeconds?: number): Promise<void>;
}

/** How one redelivery attempt ended: written (or not needed), worth another try, or never. */
export type RedeliveryResult =
  | { kind: 'done' }
  | { kind: 'retry'; reason: string }
  | { kind: 'final'; reason: string };

/**
 * What the queue will do after an attempt that meets a passing fault: try again in `delayMs`, unless
 * this was attempt `maxAttempts`, after which the delivery goes to the dead-letter queue.
 */
export interface RetryPlan {
  maxAttempts: number;
  delayMs: number;
}

/** One attempt at a queued delivery, by `deadline` (epoch ms) when the caller has one. */
export type Redeliver = (
  delivery: QueuedDelivery,
  attempt: number,
  plan: RetryPlan,
  deadline?: number,
) => Promise<RedeliveryResult>;

/** Exponential backoff between attempts, capped: 30 s, 60 s, 120 s … 15 min. */
export function backoffSeconds(attempt: number, baseSeconds = 30, capSeconds = 900): number {
  return Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
}

/** Attempts from the environment, or the default when it is unset or not a whole number of at least 2. */
export function maxAttemptsFrom(value: string | undefined, fallback = 8): number {
  const attempts = Number(value);
  return Number.isInteger(attempts) && attempts >= 2 ? attempts : fallback;
}
