import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Milliseconds to wait before answering, to play a slow forge. */
  delayMs?: number;
  /** Drop the connection without an answer, to play a reset. */
  reset?: boolean;
}

export type RequestHandler = (request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

async function record(request: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: request.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: Buffer.concat(chunks).toString('utf8'),
  };
}

/** An HTTP server on 127.0.0.1 that records every request and answers through `handler`. */
export class LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  #server: Server | undefined;
  #url = '';

  constructor(private readonly handler: RequestHandler) {}

  get url(): string {
    return this.#url;
  }

  async start(): Promise<this> {
    this.#server = createServer(async (incoming, outgoing) => {
      const request = await record(incoming);
      this.requests.push(request);
      let answer: ScriptedResponse;
      try {
        answer = await this.handler(request);
      } catch (error) {
        // A fault in the fake itself must show in the test, not hang the client until its deadline.
        answer = { status: 599, body: { message: `the fake failed: ${(error as Error).message}` } };
      }
      if (answer.delayMs) await new Promise((done) => setTimeout(done, answer.delayMs));
      if (answer.reset) {
        incoming.socket.destroy();
        return;
      }
      const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
      outgoing.writeHead(answer.status, {
        ...(body === '' ? {} : { 'content-type': 'application/json' }),
        ...answer.headers,
      });
      outgoing.end(body);
    });
    await new Promise<void>((done) => this.#server?.listen(0, '127.0.0.1', done));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
}
