import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeIssues } from '../core/zod-issues.js';
import {
  backoffSeconds,
  type QueuedDelivery,
  QueuedDeliverySchema,
  type Redeliver,
} from './delivery-queue.js';
import type { SqsQueue } from './sqs-queue.js';

export interface SqsConsumerOptions {
  queue: SqsQueue;
  /** Attempts in all, the webhook's own included, before a delivery goes to the dead-letter queue. */
  maxAttempts: number;
  /** Told of every delivery that leaves the queue without being written. */
  onDeadLetter: (reason: string, delivery: QueuedDelivery | undefined, attempt: number) => void;
  now?: () => number;
}

/** Thrown to make Powertools report the record as failed, so SQS keeps it for the next attempt. */
class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/**
 * Consumes the retry queue with partial batch responses (Powertools Batch). A message leaves the
 * queue only written, found not needed, or moved to the dead-letter queue with its reason: a
 * malformed message, a route that is gone, a final refusal, or its last attempt. A passing fault
 * postpones it with a growing visibility timeout.
 */
export function createSqsConsumer(redeliver: Redeliver, options: SqsConsumerOptions) {
  const processor = new BatchProcessor(EventType.SQS);
  const now = options.now ?? Date.now;

  async function deadLetter(record: SQSRecord, reason: string, delivery: QueuedDelivery | undefined) {
    const attempt = attemptOf(record);
    // If the dead-letter queue cannot take it either, the message stays here and comes back.
    await options.queue.deadLetter(record.body, reason, attempt);
    options.onDeadLetter(reason, delivery, attempt);
  }

  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const deadline = now() + context.getRemainingTimeInMillis();
    async function handleRecord(record: SQSRecord): Promise<void> {
      const attempt = attemptOf(record);
      const parsed = QueuedDeliverySchema.safeParse(safeJson(record.body));
      if (!parsed.success) {
        const reason = `the queued message is not a delivery: ${describeIssues(parsed.error.issues, 3)}`;
        return deadLetter(record, reason, undefined);
      }
      const plan = { maxAttempts: options.maxAttempts, delayMs: backoffSeconds(attempt) * 1000 };
      const result = await redeliver(parsed.data, attempt, plan, deadline);
      if (result.kind === 'done') return;
      if (result.kind === 'final' || attempt >= options.maxAttempts) {
        return deadLetter(record, result.reason, parsed.data);
      }
      await options.queue.postpone(record.receiptHandle, attempt);
      throw new RetryLaterError(result.reason);
    }
    // A whole failed batch is reported item by item too: each record already has its own backoff.
    return processPartialResponse(event, handleRecord, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  };
}

/** The webhook made the first attempt; each receive is one more. */
function attemptOf(record: SQSRecord): number {
  return Number(record.attributes.ApproximateReceiveCount) + 1;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
