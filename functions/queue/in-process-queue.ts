import { backoffSeconds, type DeliveryQueue, type QueuedDelivery, type Redeliver } from './delivery-queue.js';

export interface InProcessQueueOptions {
  /** Attempts in all, the webhook's included, as `retryQueue.maxAttempts` sets them for SQS. */
  maxAttempts?: number;
  /** Scales the SQS backoff (30 s, 60 s, … 15 min) down for the local server and tests. */
  backoffScale?: number;
  onDeadLetter?: (reason: string, delivery: QueuedDelivery, attempt: number) => void;
}

/** A delivery waiting in the queue: its next attempt and when that is due (epoch ms). */
export interface WaitingDelivery {
  delivery: QueuedDelivery;
  attempt: number;
  dueAt: number;
}

/**
 * The local server's retry queue: the same hand-off, the same redelivery code and the same
 * attempts and backoff as SQS, scaled in time, with timers in this process. Deliveries still waiting
 * when the process stops are lost; `stop` returns them, so that the server can say which.
 */
export class InProcessQueue implements DeliveryQueue {
  readonly deadLetters: Array<{ delivery: QueuedDelivery; reason: string }> = [];
  readonly #timers = new Map<NodeJS.Timeout, WaitingDelivery>();

  /** `redeliver`: the queue's consumer, as SQS's is the function's queue event. */
  constructor(
    private readonly redeliver: Redeliver,
    private readonly options: InProcessQueueOptions = {},
  ) {}

  async enqueue(delivery: QueuedDelivery, _reason: string, delaySeconds?: number): Promise<void> {
    this.#schedule(delivery, 2, delaySeconds);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Stops every timer, and returns the deliveries that were still waiting: they are dropped. */
  stop(): WaitingDelivery[] {
    const dropped = [...this.#timers.values()];
    for (const timer of this.#timers.keys()) clearTimeout(timer);
    this.#timers.clear();
    return dropped;
  }

  #delayMs(attempt: number): number {
    return backoffSeconds(attempt) * 1000 * (this.options.backoffScale ?? 1);
  }

  #schedule(delivery: QueuedDelivery, attempt: number, delaySeconds?: number): void {
    const delayMs =
      delaySeconds === undefined
        ? this.#delayMs(attempt - 1)
        : delaySeconds * 1000 * (this.options.backoffScale ?? 1);
    const timer = setTimeout(async () => {
      this.#timers.delete(timer);
      const plan = { maxAttempts: this.options.maxAttempts ?? 8, delayMs: this.#delayMs(attempt) };
      const result = await this.redeliver(delivery, attempt, plan).catch((error: Error) => ({
        kind: 'retry' as const,
        reason: error.message,
      }));
      if (result.kind === 'done') return;
      if (result.kind === 'final' || attempt >= (this.options.maxAttempts ?? 8)) {
        this.deadLetters.push({ delivery, reason: result.reason });
        this.options.onDeadLetter?.(result.reason, delivery, attempt);
        return;
      }
      this.#schedule(delivery, attempt + 1);
    }, delayMs);
    timer.unref();
    this.#timers.set(timer, { delivery, attempt, dueAt: Date.now() + delayMs });
  }
}
