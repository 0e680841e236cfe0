import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeIssues } from '../core/zod-issues.js';
import { type RecomputeRequest, RecomputeRequestSchema } from './recompute-request.js';
import type { RunRecompute } from './recompute-runner.js';

export interface RecomputeConsumerOptions {
  /** The queue's maxReceiveCount: the attempt after which SQS moves a message to the dead-letter queue. */
  maxReceiveCount: number;
  /** Told of a message that leaves for the dead-letter queue (or is dropped), with the reason. */
  onDeadLetter: (reason: string, request: RecomputeRequest | undefined, attempt: number) => void;
  now?: () => number;
}

/**
 * Consumes the FIFO recompute queue. A batch holds up to ten messages, from one or more message
 * groups (roll-ups); each roll-up in it is recomputed once, however many of its clusters asked. A
 * failed recompute reports every message of its roll-up as failed, so SQS brings them back in
 * order (the group waits); after maxReceiveCount attempts, its redrive policy moves them to the
 * dead-letter queue, and the reason is logged here. A malformed message is dropped with its reason.
 */
export function createRecomputeConsumer(run: RunRecompute, options: RecomputeConsumerOptions) {
  const now = options.now ?? Date.now;
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
        try {
          await run(request, deadline);
        } catch (error) {
          const attempt = Math.max(...records.map(attemptOf));
          if (attempt >= options.maxReceiveCount)
            options.onDeadLetter((error as Error).message, request, attempt);
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
