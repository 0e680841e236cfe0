/**
 * Whether two status context templates can render the same context, for the config's refusals: a
 * route whose context could be a roll-up's, and two environments whose roll-ups could share one.
 *
 * A template is read as a pattern: its text, lower-cased as every context is; a placeholder whose
 * value the config fixes (a route's `cluster` and `route`, an environment's `environment`) as that
 * value; a Kubernetes field (`kind`, `name`, `namespace`) or the commit's `sha` as one or more
 * characters without "/"; anything else (event metadata, which an Alert sets freely) as any text.
 * Two patterns overlap when one string matches both.
 */

type Token = { kind: 'char'; char: string } | { kind: 'segment-char' } | { kind: 'star'; anyText: boolean };

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
const SEGMENT_FIELDS = new Set(['kind', 'name', 'namespace', 'sha']);

/** The strings a status name can be, as the overlap checks read it. */
export type Pattern = readonly Token[];

/** The pattern of a template, its fixed placeholders replaced by their values. */
export function contextPattern(template: string, fixed: Readonly<Record<string, string>>): Token[] {
  const tokens: Token[] = [];
  const literal = (text: string) => {
    for (const char of text.toLowerCase()) tokens.push({ kind: 'char', char });
  };
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    literal(template.slice(last, match.index));
    last = match.index + match[0].length;
    const field = match[1] as string;
    if (Object.hasOwn(fixed, field)) literal(fixed[field] as string);
    else if (SEGMENT_FIELDS.has(field))
      tokens.push({ kind: 'segment-char' }, { kind: 'star', anyText: false });
    else tokens.push({ kind: 'star', anyText: true });
  }
  literal(template.slice(last));
  return tokens;
}

/** Whether one character can stand for both single-character tokens. */
function meet(a: Token, b: Token): boolean {
  if (a.kind === 'char' && b.kind === 'char') return a.char === b.char;
  if (a.kind === 'char') return a.char !== '/';
  if (b.kind === 'char') return b.char !== '/';
  return true;
}

/** Whether a star may take the character that the single-character token `token` stands for. */
function takes(star: Extract<Token, { kind: 'star' }>, token: Token): boolean {
  return star.anyText || meet({ kind: 'segment-char' }, token);
}

/** Whether one string matches both patterns: a walk over both at once, each pair of places once. */
export function patternsOverlap(a: readonly Token[], b: readonly Token[]): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    if (seen.has(i * width + j)) continue;
    seen.add(i * width + j);
    if (i === a.length && j === b.length) return true;
    const x = a[i];
    const y = b[j];
    if (x?.kind === 'star') {
      stack.push([i + 1, j]);
      if (y !== undefined && y.kind !== 'star' && takes(x, y)) stack.push([i, j + 1]);
    }
    if (y?.kind === 'star') {
      stack.push([i, j + 1]);
      if (x !== undefined && x.kind !== 'star' && takes(y, x)) stack.push([i + 1, j]);
    }
    if (x !== undefined && y !== undefined && x.kind !== 'star' && y.kind !== 'star' && meet(x, y)) {
      stack.push([i + 1, j + 1]);
    }
  }
  return false;
}
