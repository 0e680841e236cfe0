import type { RecomputeQueue, RecomputeRequest } from './recompute-request.js';

export interface InProcessRecomputesOptions {
  /** Attempts per recompute before it is given up (logged); as the FIFO queue's maxReceiveCount. */
  maxAttempts?: number;
  /** The wait before a failed recompute's next attempt. */
  retryDelayMs?: number;
  onGiveUp?: (reason: string, request: RecomputeRequest) => void;
}

type Run = (request: RecomputeRequest) => Promise<unknown>;

/**
 * The local server's recompute queue: per roll-up, one recompute at a time, as the FIFO queue's
 * message groups give on AWS. Requests that come while one runs are one more run after it (a
 * recompute reads every cluster's newest verdict, so the latest request stands for all of them).
 */
export class InProcessRecomputes implements RecomputeQueue {
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Map<string, RecomputeRequest>();

  /** `run`: the queue's consumer, one recompute, as the FIFO queue's is the function's queue event. */
  constructor(
    private readonly run: Run,
    private readonly options: InProcessRecomputesOptions = {},
  ) {}

  async request(request: RecomputeRequest): Promise<void> {
    if (this.#running.has(request.rollup)) {
      this.#again.set(request.rollup, request);
      return;
    }
    const running = this.#drainKey(request).finally(() => this.#running.delete(request.rollup));
    this.#running.set(request.rollup, running);
  }

  /** Resolves once no recompute runs or waits: for tests, a graceful stop, and a Lambda about to answer. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  async #drainKey(first: RecomputeRequest): Promise<void> {
    let next: RecomputeRequest | undefined = first;
    while (next !== undefined) {
      this.#again.delete(next.rollup);
      await this.#attempt(next);
      next = this.#again.get(first.rollup);
    }
  }

  async #attempt(request: RecomputeRequest): Promise<void> {
    const attempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.run(request);
        return;
      } catch (error) {
        if (attempt >= attempts) {
          this.options.onGiveUp?.((error as Error).message, request);
          return;
        }
        // A request that came meanwhile is the same recompute: run it instead, without waiting.
        if (this.#again.has(request.rollup)) return;
        await new Promise((done) => setTimeout(done, this.options.retryDelayMs ?? 1000).unref());
      }
    }
  }
}
