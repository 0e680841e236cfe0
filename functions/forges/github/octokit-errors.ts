/** What octokit's errors carry, read by shape: `RequestError` is not loaded for this alone. */
export function errorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub's own words from an error answer's body. */
export function forgeMessage(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  return typeof data?.message === 'string' ? data.message : 'no message';
}
