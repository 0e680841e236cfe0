import type { Octokit } from '@octokit/rest';
import { WriteDeferredError } from '../../core/errors.js';
import { withGaveUp } from './octokit-errors.js';

/**
 * GitHub's rules for a client that writes, as one octokit request hook: writes spaced one slot apart
 * per client (GitHub's advice of about one content-creating request a second per token, before its
 * secondary rate limit), a primary or secondary rate limit waited out when GitHub's wait still fits
 * in the request's deadline, other failures retried with a growing backoff, and never a wait or an
 * attempt past the deadline. The retry and throttling plugins do the same through Bottleneck, whose
 * limiters cost about 6 ms of CPU and 40 ms of latency per written status on a 0 ms forge (README
 * "Performance"); here a request that needs no wait costs none.
 */
export interface RequestPolicy {
  /** Attempts after the first. */
  retries: number;
  /** The first backoff; the next is four times it, then nine times (as @octokit/plugin-retry). */
  backoffMs: number;
  writeSpacingMs: number;
}

/** GitHub's answers that another attempt cannot change (as @octokit/plugin-retry). */
const FINAL = new Set([400, 401, 403, 404, 410, 422, 451]);
/** GitHub's advice when a secondary rate limit comes without a Retry-After. */
const SECONDARY_FALLBACK_MS = 60_000;

interface ErrorShape {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

interface RequestOptions {
  method: string;
  /** `deferSpacingAfterMs`: a write that would wait longer for its slot throws WriteDeferredError instead. */
  request?: { deadline?: number; signal?: AbortSignal; deferSpacingAfterMs?: number };
}

/** How long to wait before the next attempt, or undefined when there should be none. */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  policy: RequestPolicy,
  now: number,
): number | undefined {
  const { status, message = '', response } = error as ErrorShape;
  if (typeof status !== 'number') return undefined;
  const headers = response?.headers ?? {};
  const retryAfterMs = Number(headers['retry-after']) * 1000 || undefined;
  if ((status === 403 || status === 429) && /\bsecondary rate\b/i.test(message)) {
    return retryAfterMs ?? SECONDARY_FALLBACK_MS;
  }
  if ((status === 403 || status === 429) && headers['x-ratelimit-remaining'] === '0') {
    if (retryAfterMs !== undefined) return retryAfterMs;
    const reset = Number(headers['x-ratelimit-reset']);
    // One second past the reset, so that the retry comes after it; without a reset, no guess.
    return Number.isFinite(reset) ? Math.max(0, reset * 1000 - now + 1000) : undefined;
  }
  if (status < 400 || FINAL.has(status)) return undefined;
  return retryAfterMs ?? policy.backoffMs * (attempt + 1) ** 2;
}

/** A Retry-After or a spent rate limit: the wait is GitHub's, not a backoff of ours. */
function isAskedWait(error: unknown): boolean {
  const headers = (error as ErrorShape).response?.headers ?? {};
  return headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0';
}

/** Ends early when the request's deadline aborts it: the attempt after it then fails at once. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((done) => {
    const stop = () => {
      clearTimeout(timer);
      done();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      done();
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

export function applyRequestPolicy(octokit: Octokit, policy: RequestPolicy): void {
  /** When this client's next write may start. */
  let nextWriteAt = 0;

  async function spaceWrite(
    signal: AbortSignal | undefined,
    deferAfterMs: number | undefined,
  ): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, nextWriteAt);
    // The slot is not taken: the queue's delivery takes one when it comes back.
    if (deferAfterMs !== undefined && slot - now > deferAfterMs) {
      throw new WriteDeferredError(
        `GitHub's write spacing would hold this write ${slot - now} ms; the retry queue writes it then`,
        slot - now,
      );
    }
    nextWriteAt = slot + policy.writeSpacingMs;
    if (slot > now) await sleep(slot - now, signal);
  }

  octokit.hook.wrap('request', async (request, options) => {
    const {
      deadline = Number.POSITIVE_INFINITY,
      signal,
      deferSpacingAfterMs,
    } = (options as RequestOptions).request ?? {};
    const write = options.method !== 'GET' && options.method !== 'HEAD';
    for (let attempt = 0; ; attempt++) {
      if (write && policy.writeSpacingMs > 0) await spaceWrite(signal, deferSpacingAfterMs);
      try {
        return await request(options);
      } catch (error) {
        const delay = retryDelayMs(error, attempt, policy, Date.now());
        const attempts = attempt + 1;
        if (signal?.aborted || delay === undefined || attempt >= policy.retries) {
          throw withGaveUp(error, { attempts });
        }
        if (Date.now() + delay >= deadline) {
          // A wait GitHub asked for is worth naming; a backoff of our own is not.
          throw withGaveUp(error, isAskedWait(error) ? { attempts, askedWaitMs: delay } : { attempts });
        }
        if (delay > 0) await sleep(delay, signal);
        if (signal?.aborted) throw withGaveUp(error, { attempts });
      }
    }
  });
}
