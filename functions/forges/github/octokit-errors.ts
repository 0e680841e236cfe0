/** What octokit's errors carry, read by shape: `RequestError` is not loaded for this alone. */
export function errorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** The parsed body of GitHub's error answer, for `forgeMessage`. */
export function answerBody(error: unknown): unknown {
  return (error as { response?: { data?: unknown } }).response?.data;
}
