import type { Redeliver } from '../webhook/relay.js';
import { backoffSeconds, type DeliveryQueue, type QueuedDelivery } from './delivery-queue.js';

export interface InProcessQueueOptions {
  maxAttempts?: number;
  /** Scales the SQS backoff (30 s, 60 s, …) down for the local server and tests. */
  backoffScale?: number;
  onDeadLetter?: (reason: string, delivery: QueuedDelivery) => void;
}

/**
 * The local server's retry queue: the same hand-off and the same redelivery code path as SQS,
 * with timers in this process. Deliveries pending when the process stops are lost, as locally fine.
 */
export class InProcessQueue implements DeliveryQueue {
  readonly deadLetters: Array<{ delivery: QueuedDelivery; reason: string }> = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #redeliver: Redeliver | undefined;

  constructor(private readonly options: InProcessQueueOptions = {}) {}

  /** The relay is built with the queue, so the consumer is attached once both exist. */
  attach(redeliver: Redeliver): void {
    this.#redeliver = redeliver;
  }

  async enqueue(delivery: QueuedDelivery): Promise<void> {
    if (this.#redeliver === undefined) throw new Error('the in-process queue has no consumer attached');
    this.#schedule(delivery, 2);
  }

  get pending(): number {
    return this.#timers.size;
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #schedule(delivery: QueuedDelivery, attempt: number): void {
    const delayMs = backoffSeconds(attempt - 1) * 1000 * (this.options.backoffScale ?? 1);
    const timer = setTimeout(async () => {
      this.#timers.delete(timer);
      try {
        await this.#redeliver?.(delivery, attempt);
      } catch (error) {
        if (attempt >= (this.options.maxAttempts ?? 5)) {
          const reason = (error as Error).message;
          this.deadLetters.push({ delivery, reason });
          this.options.onDeadLetter?.(reason, delivery);
          return;
        }
        this.#schedule(delivery, attempt + 1);
      }
    }, delayMs);
    timer.unref();
    this.#timers.add(timer);
  }
}
