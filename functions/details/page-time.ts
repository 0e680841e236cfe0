const UNITS: ReadonlyArray<[string, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "5 minutes ago", "2 days ago", "just now"; "in …" for a time ahead of the clock (a cluster's skew). */
export function relativeTime(time: number, now: number): string {
  const distance = Math.abs(now - time);
  for (const [unit, size] of UNITS) {
    if (distance >= size) {
      const count = Math.floor(distance / size);
      const amount = `${count} ${unit}${count === 1 ? '' : 's'}`;
      return time > now ? `in ${amount}` : `${amount} ago`;
    }
  }
  return 'just now';
}

/** `2026-07-14 09:31:02 UTC`: one zone for every reader, whatever their browser says. */
export function absoluteTime(time: number): string {
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
