export function remainingMs(deadline: number): number {
  return deadline - Date.now();
}

/** An AbortSignal that fires at the deadline, so no forge call outlives the webhook's budget. */
export function deadlineSignal(deadline: number): AbortSignal {
  return AbortSignal.timeout(Math.max(1, remainingMs(deadline)));
}
