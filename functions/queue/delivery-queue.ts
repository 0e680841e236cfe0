import * as z from 'zod/mini';

/**
 * A status whose forge was still failing when the webhook's time ran out. It is already
 * authenticated and decided, so a retry only has to write it.
 */
export const QueuedDeliverySchema = z.object({
  routeId: z.string(),
  eventTime: z.number(),
  status: z.object({
    sha: z.string(),
    ref: z.optional(z.string()),
    state: z.enum(['success', 'failure', 'pending']),
    context: z.string(),
    description: z.string(),
    targetUrl: z.optional(z.string()),
    summary: z.optional(z.string()),
  }),
});

export type QueuedDelivery = z.infer<typeof QueuedDeliverySchema>;

export interface DeliveryQueue {
  enqueue(delivery: QueuedDelivery, reason: string): Promise<void>;
}

/** Exponential backoff between attempts, capped: 30 s, 60 s, 120 s … 15 min. */
export function backoffSeconds(attempt: number, baseSeconds = 30, capSeconds = 900): number {
  return Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
}

/** The log line of a delivery that left the queue unwritten: what it was, and why. */
export function deadLetterRecord(reason: string, delivery: QueuedDelivery | undefined) {
  const base = { outcome: 'dead-lettered', reason };
  if (delivery === undefined) return base;
  const { sha, context, state } = delivery.status;
  return { ...base, route: delivery.routeId, sha, context, state };
}

/** Attempts from the environment, or the default when it is unset or not a whole number of at least 2. */
export function maxAttemptsFrom(value: string | undefined, fallback = 8): number {
  const attempts = Number(value);
  return Number.isInteger(attempts) && attempts >= 2 ? attempts : fallback;
}
