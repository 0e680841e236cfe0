import { createHash } from 'node:crypto';
import { awsClientConfig } from './fake-secrets-manager.js';
import { LoopbackServer } from './loopback-server.js';

export interface SentMessage {
  queueUrl: string;
  body: string;
  delaySeconds?: number;
  attributes: Record<string, string>;
  groupId?: string;
  dedupId?: string;
}

/** A message of a FIFO queue (a URL ending in `.fifo`), as SQS keeps it. */
interface FifoMessage {
  id: string;
  body: string;
  groupId: string;
  receives: number;
  /** Epoch ms until which a receive hides it; 0 when it is visible. */
  invisibleUntil: number;
  receiptHandle?: string;
}

const DEDUP_WINDOW_MS = 5 * 60_000;

/**
 * SQS's JSON protocol on 127.0.0.1, for the real SDK client: SendMessage and ChangeMessageVisibility
 * for the retry queue, and a FIFO queue's semantics for a URL ending in `.fifo`: a message group and
 * a deduplication id are required, a repeated id within five minutes is taken and dropped,
 * ReceiveMessage hands out at most ten messages and never a group that has messages in flight (its
 * order holds), a visibility timeout brings an unacknowledged batch back (ChangeMessageVisibility sets
 * it anew from now), DeleteMessage acknowledges.
 */
export class FakeSqs {
  readonly sent: SentMessage[] = [];
  readonly visibilityChanges: Array<{ receiptHandle: string; visibilityTimeout: number }> = [];
  readonly #fifo = new Map<string, FifoMessage[]>();
  readonly #dedup = new Map<string, number>();
  #ids = 0;

  constructor(private readonly now: () => number = Date.now) {}

  readonly server = new LoopbackServer((request) => {
    const target = request.headers['x-amz-target'] ?? '';
    const input = JSON.parse(request.body || '{}');
    const headers = { 'content-type': 'application/x-amz-json-1.0' };
    const fail = (type: string, message: string) => ({
      status: 400,
      headers,
      body: { __type: `com.amazonaws.sqs#${type}`, message },
    });
    if (target.endsWith('.SendMessage')) {
      const attributes: Record<string, string> = {};
      for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
        attributes[name] = (value as { StringValue: string }).StringValue;
      }
      const fifo = String(input.QueueUrl).endsWith('.fifo');
      if (fifo && (input.MessageGroupId === undefined || input.MessageDeduplicationId === undefined)) {
        return fail('MissingParameter', 'a FIFO queue needs MessageGroupId and MessageDeduplicationId');
      }
      this.sent.push({
        queueUrl: input.QueueUrl,
        body: input.MessageBody,
        delaySeconds: input.DelaySeconds,
        attributes,
        ...(fifo ? { groupId: input.MessageGroupId, dedupId: input.MessageDeduplicationId } : {}),
      });
      const id = `m-${++this.#ids}`;
      if (fifo)
        this.#enqueue(
          input.QueueUrl,
          id,
          input.MessageBody,
          input.MessageGroupId,
          input.MessageDeduplicationId,
        );
      const md5 = createHash('md5').update(input.MessageBody).digest('hex');
      return { status: 200, headers, body: { MessageId: id, MD5OfMessageBody: md5 } };
    }
    if (target.endsWith('.ReceiveMessage')) {
      const messages = this.#receive(
        input.QueueUrl,
        input.MaxNumberOfMessages ?? 1,
        input.VisibilityTimeout ?? 30,
      );
      return {
        status: 200,
        headers,
        body: {
          Messages: messages.map((message) => ({
            MessageId: message.id,
            ReceiptHandle: message.receiptHandle,
            Body: message.body,
            MD5OfBody: createHash('md5').update(message.body).digest('hex'),
            Attributes: {
              MessageGroupId: message.groupId,
              ApproximateReceiveCount: String(message.receives),
            },
          })),
        },
      };
    }
    if (target.endsWith('.DeleteMessage')) {
      const queue = this.#fifo.get(input.QueueUrl) ?? [];
      const index = queue.findIndex((message) => message.receiptHandle === input.ReceiptHandle);
      if (index >= 0) queue.splice(index, 1);
      return { status: 200, headers, body: {} };
    }
    if (target.endsWith('.ChangeMessageVisibility')) {
      this.visibilityChanges.push({
        receiptHandle: input.ReceiptHandle,
        visibilityTimeout: input.VisibilityTimeout,
      });
      const message = (this.#fifo.get(input.QueueUrl) ?? []).find(
        (candidate) => candidate.receiptHandle === input.ReceiptHandle,
      );
      // A FIFO message in flight stays hidden (its group waiting) for the new timeout from now.
      if (message !== undefined) message.invisibleUntil = this.now() + input.VisibilityTimeout * 1000;
      return { status: 200, headers, body: {} };
    }
    return fail('UnsupportedOperation', target);
  });

  /** Messages a FIFO queue still holds, in flight or not. */
  waiting(queueUrl: string): number {
    return this.#fifo.get(queueUrl)?.length ?? 0;
  }

  #enqueue(queueUrl: string, id: string, body: string, groupId: string, dedupId: string) {
    const at = this.now();
    const key = `${queueUrl}\n${dedupId}`;
    const seen = this.#dedup.get(key);
    if (seen !== undefined && at - seen < DEDUP_WINDOW_MS) return;
    this.#dedup.set(key, at);
    const queue = this.#fifo.get(queueUrl) ?? [];
    queue.push({ id, body, groupId, receives: 0, invisibleUntil: 0 });
    this.#fifo.set(queueUrl, queue);
  }

  #receive(queueUrl: string, max: number, visibilitySeconds: number): FifoMessage[] {
    const at = this.now();
    const queue = this.#fifo.get(queueUrl) ?? [];
    const blocked = new Set(queue.filter((message) => message.invisibleUntil > at).map((m) => m.groupId));
    const batch: FifoMessage[] = [];
    for (const message of queue) {
      if (batch.length >= Math.min(max, 10)) break;
      // A group with a message in flight gives nothing; its messages come in order after it.
      if (blocked.has(message.groupId)) continue;
      message.receives++;
      message.invisibleUntil = at + visibilitySeconds * 1000;
      message.receiptHandle = `r-${message.id}-${message.receives}`;
      batch.push(message);
    }
    return batch;
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  clientConfig() {
    return awsClientConfig(this.server.url);
  }
}
