import type { FifoQueue } from '../queue/fifo-queue.js';
import { messageGroupOf, type RecomputeQueue, type RecomputeRequest } from './recompute-request.js';

/** Recompute requests on the FIFO queue: the roll-up is the message group, so one consumer at a time. */
export class FifoRecomputes implements RecomputeQueue {
  constructor(private readonly queue: FifoQueue) {}

  request(request: RecomputeRequest, dedupId: string): Promise<void> {
    return this.queue.send(JSON.stringify(request), messageGroupOf(request.rollup), dedupId);
  }
}
