/** Replaces every occurrence of each secret value in `text`, so a forge that echoes a token leaks nothing. */
export function redact(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    // Very short values would blank out ordinary words; real tokens and keys are longer.
    if (secret.length >= 6) result = result.split(secret).join('[redacted]');
  }
  return result;
}
