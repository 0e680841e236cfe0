import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini ships without messages ("Invalid input"); the English locale names what was expected.
// Imported alone: `z.locales` would bundle every language (about 260 KB).
z.config(en());

/** A field's path as the messages write it: `routes[0].provider.type`, or `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  const text = path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
    )
    .join('');
  return text === '' ? '(root)' : text;
}

/** One line per issue, each naming the field path (`routes[0].provider.type: …`). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], limit = 5): string {
  const lines = issues.slice(0, limit).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (issues.length > limit) lines.push(`… and ${issues.length - limit} more`);
  return lines.join('; ');
}
