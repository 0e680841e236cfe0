/** Flux waits 15 s for a webhook, its own retries included: the forge gets at most this much. */
export const MAX_FORGE_BUDGET_MS = 9000;

/**
 * Kept back from the invocation's remaining time for what follows the forge: the ledger check
 * (a read and a swap, each at most 2 attempts of 500 ms) and the hand-off to the retry queue (at
 * most 2 attempts of 800 ms). So a forge that never answers still leaves time to queue.
 */
export const AFTER_FORGE_RESERVE_MS = 5000;

/**
 * A webhook's forge write that would wait longer than this for GitHub's write spacing goes to the
 * retry queue with that delay instead: a queued delivery (a message, a later invocation) costs less
 * than about a quarter of a second of a waiting 512 MB function (docs/performance.md).
 */
export const DEFER_SPACING_AFTER_MS = 1000;

/** How long after its deadline a forge write is still counted as possibly landing. */
export const WRITE_GRACE_MS = 10_000;

/** The epoch ms after which no forge attempt starts, for a request started at `started`. */
export function forgeDeadline(
  started: number,
  invocationDeadline?: number,
  maxBudgetMs = MAX_FORGE_BUDGET_MS,
): number {
  const byFlux = started + maxBudgetMs;
  if (invocationDeadline === undefined) return byFlux;
  return Math.min(byFlux, invocationDeadline - AFTER_FORGE_RESERVE_MS);
}
