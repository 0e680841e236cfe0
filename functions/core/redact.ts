/** Very short values would blank out ordinary words; real tokens and keys are longer. */
const MIN_SECRET_LENGTH = 6;

/**
 * The forms in which a secret value can reach a text: as it is, escaped inside a JSON string,
 * URL-encoded, and base64 (as in a Basic header). Redacting all of them means a forge that echoes a
 * token, or a serialiser that escapes a `"` in a password, leaks nothing.
 */
export function secretForms(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return [];
  const forms = new Set([
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    Buffer.from(value, 'utf8').toString('base64').replace(/=+$/, ''),
  ]);
  return [...forms];
}

/** Replaces every occurrence of each secret form in `text`, longest first. */
export function redact(text: string, secrets: Iterable<string>): string {
  const forms = [...new Set([...secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length);
  let result = text;
  for (const form of forms) result = result.split(form).join('[redacted]');
  return result;
}
