import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import { loadSqs, type SqsSdk } from './sqs-client.js';

/**
 * An SQS FIFO queue, as its sender and its consumer use it: messages of one group are delivered in
 * order, one batch at a time (the Lambda event source mapping waits for a group's batch before the
 * next), and a message whose deduplication id was sent within five minutes is taken and dropped.
 */
export class FifoQueue {
  #sdk: Promise<{ sdk: SqsSdk; client: SQSClient }> | undefined;

  constructor(
    private readonly queueUrl: string,
    private readonly clientConfig: SQSClientConfig = {},
  ) {}

  async send(body: string, groupId: string, dedupId: string): Promise<void> {
    const { sdk, client } = await this.#load();
    await client.send(
      new sdk.SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        MessageGroupId: groupId,
        MessageDeduplicationId: dedupId,
      }),
    );
  }

  /** Keeps a received message in flight, and so its group waiting, for `seconds` more. */
  async postpone(receiptHandle: string, seconds: number): Promise<void> {
    const { sdk, client } = await this.#load();
    await client.send(
      new sdk.ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }

  #load() {
    this.#sdk ??= loadSqs(this.clientConfig);
    return this.#sdk;
  }
}
