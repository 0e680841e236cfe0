/** In `u` mode a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

type CharClass = 'lower' | 'upper' | 'digit' | 'other';

/** Go's unicode.IsLower, IsUpper and IsDigit are the categories Ll, Lu and Nd. */
function classOf(char: string): CharClass {
  if (/\p{Ll}/u.test(char)) return 'lower';
  if (/\p{Lu}/u.test(char)) return 'upper';
  if (/\p{Nd}/u.test(char)) return 'digit';
  return 'other';
}

/**
 * Flux's `splitCamelcase` (notification-controller internal/notifier/util.go): runs of one character
 * class, where an upper-case run hands its last letter to a lower-case run after it (`PDFLoader` →
 * `PDF`, `Loader`). Text that is not well-formed Unicode is left whole, as Flux leaves invalid UTF-8.
 */
export function splitCamelcase(text: string): string[] {
  if (LONE_SURROGATE.test(text)) return [text];
  const runs: string[][] = [];
  let last: CharClass | undefined;
  for (const char of text) {
    const current = classOf(char);
    if (current === last) runs[runs.length - 1]?.push(char);
    else runs.push([char]);
    last = current;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const run = runs[i] as string[];
    const next = runs[i + 1] as string[];
    if (classOf(run[0] as string) === 'upper' && classOf(next[0] as string) === 'lower') {
      next.unshift(run.pop() as string);
    }
  }
  return runs.filter((run) => run.length > 0).map((run) => run.join(''));
}

/** `HealthCheckFailed` → `health check failed`: Flux's description, so a migrating user sees the same. */
export function reasonToWords(reason: string): string {
  return splitCamelcase(reason).join(' ').toLowerCase();
}

/** Cuts `text` to at most `max` characters (code points), ending in "…" when it was cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

export function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return (end < 0 ? text : text.slice(0, end)).trim();
}
