import { createHash } from 'node:crypto';
import { awsClientConfig } from './fake-secrets-manager.js';
import { LoopbackServer } from './loopback-server.js';

export interface SentMessage {
  queueUrl: string;
  body: string;
  delaySeconds?: number;
  attributes: Record<string, string>;
}

/** SQS's JSON protocol on 127.0.0.1 for SendMessage and ChangeMessageVisibility, for the real SDK client. */
export class FakeSqs {
  readonly sent: SentMessage[] = [];
  readonly visibilityChanges: Array<{ receiptHandle: string; visibilityTimeout: number }> = [];
  readonly server = new LoopbackServer((request) => {
    const target = request.headers['x-amz-target'] ?? '';
    const input = JSON.parse(request.body || '{}');
    const headers = { 'content-type': 'application/x-amz-json-1.0' };
    if (target.endsWith('.SendMessage')) {
      const attributes: Record<string, string> = {};
      for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
        attributes[name] = (value as { StringValue: string }).StringValue;
      }
      this.sent.push({
        queueUrl: input.QueueUrl,
        body: input.MessageBody,
        delaySeconds: input.DelaySeconds,
        attributes,
      });
      const md5 = createHash('md5').update(input.MessageBody).digest('hex');
      return { status: 200, headers, body: { MessageId: `m-${this.sent.length}`, MD5OfMessageBody: md5 } };
    }
    if (target.endsWith('.ChangeMessageVisibility')) {
      this.visibilityChanges.push({
        receiptHandle: input.ReceiptHandle,
        visibilityTimeout: input.VisibilityTimeout,
      });
      return { status: 200, headers, body: {} };
    }
    return {
      status: 400,
      headers,
      body: { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: target },
    };
  });

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
