import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../functions/forges/github/request-policy.js';

const POLICY = { retries: 2, backoffMs: 250, writeSpacingMs: 0 };
const NOW = Date.UTC(2026, 6, 14, 9, 0, 0);

function answer(status: number, message = 'boom', headers: Record<string, string> = {}) {
  return { status, message, response: { headers } };
}

/** The waits GitHub asks for, as the retry and throttling plugins read them. */
describe('GitHub request policy: the wait before another attempt', () => {
  it('backs off 250 ms, 1 s and 2.25 s on a 5xx', () => {
    expect([0, 1, 2].map((attempt) => retryDelayMs(answer(502), attempt, POLICY, NOW))).toEqual([
      250, 1000, 2250,
    ]);
  });

  it('waits a secondary rate limit’s Retry-After, or a minute without one', () => {
    const message =
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    expect(retryDelayMs(answer(403, message, { 'retry-after': '3' }), 0, POLICY, NOW)).toBe(3000);
    expect(retryDelayMs(answer(429, message), 0, POLICY, NOW)).toBe(60_000);
  });

  it('waits for a primary rate limit until a second past its reset', () => {
    const reset = String(NOW / 1000 + 30);
    const error = answer(403, 'API rate limit exceeded', {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': reset,
    });
    expect(retryDelayMs(error, 0, POLICY, NOW)).toBe(31_000);
  });

  it('does not guess the wait of a primary rate limit that names no reset', () => {
    const error = answer(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0' });
    expect(retryDelayMs(error, 0, POLICY, NOW)).toBeUndefined();
  });

  it('takes a 429’s Retry-After over the backoff', () => {
    expect(retryDelayMs(answer(429, 'slow down', { 'retry-after': '2' }), 0, POLICY, NOW)).toBe(2000);
  });

  it.each([400, 401, 403, 404, 410, 422, 451])('does not retry a final %i', (status) => {
    expect(retryDelayMs(answer(status), 0, POLICY, NOW)).toBeUndefined();
  });

  it('does not retry what is not an HTTP answer', () => {
    expect(retryDelayMs(new Error('no status'), 0, POLICY, NOW)).toBeUndefined();
  });
});
