import { OrderingContentionError } from './errors.js';

/** What a compare-and-swap round returns when another writer changed the record first. */
export const CONFLICT: unique symbol = Symbol('conflict');
export type Conflict = typeof CONFLICT;

/** Conflicts a record may meet in one call before it is given up: more than this is a storm. */
export const MAX_CONFLICTS = 12;
const BASE_DELAY_MS = 4;
const CAP_DELAY_MS = 250;

export interface BackoffOptions {
  maxConflicts?: number;
  /** [0, 1): the jitter's source; tests give their own. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * The one backoff of every compare-and-swap on a record: after each lost swap, a wait drawn
 * uniformly from zero to a cap that doubles (4 ms, 8 ms … 250 ms: "full jitter"), so writers that
 * collided spread out instead of colliding again at once; after `maxConflicts` lost swaps, the
 * OrderingContentionError that the delivery's log line and the `ContentionGiveUps` metric count,
 * and the caller's retry path (Flux's retry, the queue) takes over.
 */
export function contentionBackoff(what: string, options: BackoffOptions = {}) {
  const maxConflicts = options.maxConflicts ?? MAX_CONFLICTS;
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? sleep;
  let conflicts = 0;
  return {
    /** Called after a lost swap: waits, or gives up. */
    async conflict(): Promise<void> {
      conflicts++;
      if (conflicts >= maxConflicts) {
        throw new OrderingContentionError(
          `${what} changed on each of ${conflicts} attempts; it will be tried again`,
        );
      }
      await wait(Math.floor(random() * Math.min(CAP_DELAY_MS, BASE_DELAY_MS * 2 ** (conflicts - 1))));
    },
  };
}

/**
 * Runs `round` (read the record, swap in the change) until it returns anything but CONFLICT, with
 * `contentionBackoff` between rounds.
 */
export async function compareAndSwap<T>(
  what: string,
  round: () => Promise<T | Conflict>,
  options: BackoffOptions = {},
): Promise<T> {
  const backoff = contentionBackoff(what, options);
  for (;;) {
    const result = await round();
    if (result !== CONFLICT) return result;
    await backoff.conflict();
  }
}
