/** What octokit's errors carry, read by shape: `RequestError` is not loaded for this alone. */
export function errorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** The parsed body of GitHub's error answer, for `forgeMessage`. */
export function answerBody(error: unknown): unknown {
  return (error as { response?: { data?: unknown } }).response?.data;
}

const GAVE_UP = Symbol('gaveUp');

/** How the request policy gave up: its attempts, and the wait GitHub asked for past the deadline. */
export interface GaveUp {
  attempts: number;
  askedWaitMs?: number;
}

/** Marks an error with how the request policy gave up, for the error's words. */
export function withGaveUp(error: unknown, gaveUp: GaveUp): unknown {
  if (typeof error === 'object' && error !== null) Object.assign(error, { [GAVE_UP]: gaveUp });
  return error;
}

export function gaveUpOf(error: unknown): GaveUp | undefined {
  return (error as { [GAVE_UP]?: GaveUp } | null)?.[GAVE_UP];
}
