import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Redeliver } from '../webhook/relay.js';
import { type QueuedDelivery, QueuedDeliverySchema } from './delivery-queue.js';
import type { SqsQueue } from './sqs-queue.js';

export interface SqsConsumerOptions {
  queue: SqsQueue;
  /** Attempts in all, the webhook's own included, before a delivery goes to the dead-letter queue. */
  maxAttempts: number;
  /** Told of every delivery that leaves the queue without being written. */
  onDeadLetter: (reason: string, delivery: QueuedDelivery | undefined) => void;
}

/**
 * Consumes the retry queue with partial batch responses (Powertools Batch): a failed record is
 * postponed with a growing visibility timeout and retried; after `maxAttempts` it is moved to the
 * dead-letter queue with its reason. Nothing leaves the queue silently.
 */
export function sqsConsumer(redeliver: Redeliver, options: SqsConsumerOptions) {
  const processor = new BatchProcessor(EventType.SQS);

  async function handleRecord(record: SQSRecord): Promise<void> {
    // The webhook made the first attempt; each receive is one more.
    const attempt = Number(record.attributes.ApproximateReceiveCount) + 1;
    const parsed = QueuedDeliverySchema.safeParse(safeJson(record.body));
    if (!parsed.success) {
      const reason = 'the queued message is not a delivery';
      await options.queue.deadLetter(record.body, reason, attempt);
      options.onDeadLetter(reason, undefined);
      return;
    }
    try {
      await redeliver(parsed.data, attempt);
    } catch (error) {
      const reason = (error as Error).message;
      if (attempt >= options.maxAttempts) {
        await options.queue.deadLetter(record.body, reason, attempt);
        options.onDeadLetter(reason, parsed.data);
        return;
      }
      await options.queue.postpone(record.receiptHandle, attempt);
      throw error;
    }
  }

  return (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    // A whole failed batch is reported item by item too: each record already has its own backoff.
    processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
