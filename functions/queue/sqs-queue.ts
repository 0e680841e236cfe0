import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import { backoffSeconds, type DeliveryQueue, type QueuedDelivery } from './delivery-queue.js';
import { loadSqs, type SqsSdk } from './sqs-client.js';

/** The SQS side of the retry path: hand-offs from the webhook, and the consumer's housekeeping. */
export class SqsQueue implements DeliveryQueue {
  #sdk: Promise<{ sdk: SqsSdk; client: SQSClient }> | undefined;

  constructor(
    private readonly queueUrl: string,
    private readonly deadLetterUrl: string | undefined,
    private readonly clientConfig: SQSClientConfig = {},
  ) {}

  async enqueue(delivery: QueuedDelivery, reason: string): Promise<void> {
    const { sdk, client } = await this.#load();
    await client.send(
      new sdk.SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(delivery),
        DelaySeconds: backoffSeconds(1),
        MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) } },
      }),
    );
  }

  /** Hides a failed message for longer each time: SQS's visibility timeout is the backoff. */
  async postpone(receiptHandle: string, attempt: number): Promise<void> {
    const { sdk, client } = await this.#load();
    await client.send(
      new sdk.ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: backoffSeconds(attempt),
      }),
    );
  }

  /** Moves a message that used up its attempts to the dead-letter queue, with the reason beside it. */
  async deadLetter(body: string, reason: string, attempts: number): Promise<void> {
    if (this.deadLetterUrl === undefined) throw new Error('no dead-letter queue is configured');
    const { sdk, client } = await this.#load();
    await client.send(
      new sdk.SendMessageCommand({
        QueueUrl: this.deadLetterUrl,
        MessageBody: body,
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: reason.slice(0, 1000) },
          attempts: { DataType: 'Number', StringValue: String(attempts) },
        },
      }),
    );
  }

  #load() {
    this.#sdk ??= loadSqs(this.clientConfig);
    return this.#sdk;
  }
}
