import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { WriteDeferredError } from '../core/errors.js';
import { describeIssues } from '../core/zod-issues.js';
import { DEFER_SPACING_AFTER_MS } from '../delivery/budget.js';
import { type RecomputeRequest, RecomputeRequestSchema } from './recompute-request.js';
import type { RunRecompute } from './recompute-runner.js';

export interface RecomputeConsumerOptions {
  /** The queue's maxReceiveCount: the attempt after which SQS moves a message to the dead-letter queue. */
  maxReceiveCount: number;
  /** Told of a message that leaves for the dead-letter queue (or is dropped), with the reason. */
  onDeadLetter: (reason: string, request: RecomputeRequest | undefined, attempt: number) => void;
  /**
   * Hides a received message for this many seconds (SQS's ChangeMessageVisibility). With it, a
   * roll-up write that GitHub's spacing would hold longer than `deferSpacingAfterMs` hands the
   * recompute back to the queue for that long instead of sleeping in the function.
   */
  postpone?: (receiptHandle: string, seconds: number) => Promise<void>;
  /** The wait for GitHub's write spacing worth a hand-back; the webhook's threshold by default. */
  deferSpacingAfterMs?: number;
  now?: () => number;
}

/** SQS's longest visibility timeout: 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Consumes the FIFO recompute queue. A batch holds up to ten messages, from one or more message
 * groups (roll-ups); each roll-up in it is recomputed once, however many of its clusters asked. A
 * failed recompute reports every message of its roll-up as failed, so SQS brings them back in
 * order (the group waits); after maxReceiveCount attempts, its redrive policy moves them to the
 * dead-letter queue, and the reason is logged here. A malformed message is dropped with its reason.
 *
 * A recompute whose roll-up write would wait for GitHub's write spacing is handed back, not slept
 * through: FIFO queues take no per-message delay, and a fresh message would join the group's tail
 * and be handed out at once; so the group's received messages stay in flight, hidden for the wait
 * (their visibility changed), and are reported failed. SQS hands out nothing of a group with a
 * message in flight, so no later request of the roll-up overtakes them, and the recompute that
 * comes back reads every cluster's newest verdict anyway. Each hand-back spends a receive, so the
 * last receive before the dead-letter queue sleeps for its slot instead.
 */
export function createRecomputeConsumer(run: RunRecompute, options: RecomputeConsumerOptions) {
  const now = options.now ?? Date.now;
  const { postpone, deferSpacingAfterMs = DEFER_SPACING_AFTER_MS } = options;
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const deadline = now() + context.getRemainingTimeInMillis();
    const groups = new Map<string, { request: RecomputeRequest; records: SQSRecord[] }>();
    for (const record of event.Records) {
      const parsed = RecomputeRequestSchema.safeParse(safeJson(record.body));
      if (!parsed.success) {
        const reason = `the queued message is not a recompute request: ${describeIssues(parsed.error.issues, 3)}`;
        options.onDeadLetter(reason, undefined, attemptOf(record));
        continue;
      }
      const group = groups.get(parsed.data.rollup) ?? { request: parsed.data, records: [] };
      group.records.push(record);
      groups.set(parsed.data.rollup, group);
    }
    const failures: string[] = [];
    await Promise.all(
      [...groups.values()].map(async ({ request, records }) => {
        const attempt = Math.max(...records.map(attemptOf));
        const mayDefer = postpone !== undefined && attempt < options.maxReceiveCount;
        try {
          await run(request, deadline, mayDefer ? deferSpacingAfterMs : undefined);
        } catch (error) {
          if (mayDefer && error instanceof WriteDeferredError) {
            const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.ceil(error.waitMs / 1000)));
            // Unchanged, a message comes back after the queue's own visibility timeout: later, in order.
            await Promise.all(records.map((record) => postpone(record.receiptHandle, seconds))).catch(
              () => undefined,
            );
          } else if (attempt >= options.maxReceiveCount) {
            options.onDeadLetter((error as Error).message, request, attempt);
          }
          failures.push(...records.map((record) => record.messageId));
        }
      }),
    );
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

function attemptOf(record: SQSRecord): number {
  return Number(record.attributes.ApproximateReceiveCount);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
