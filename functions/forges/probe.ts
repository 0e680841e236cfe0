import { fetch as undiciFetch } from 'undici';
import type { ForgeCredentials } from './forge.js';
import { dispatcherFor } from './http/dispatcher.js';
import type { ForgeAnswer } from './http/forge-http.js';

/**
 * The self-test's question to a forge, without writing anything: may this secret write commit
 * statuses on this repository? Each forge's client module answers it as far as its forge tells.
 */
export type ProbeLevel = 'ok' | 'warn' | 'fail';

export interface ProbeResult {
  level: ProbeLevel;
  detail: string;
}

export interface ProbeContext {
  /** The time against which a token's expiry is judged. */
  now: number;
  /** The forge's name in the verdict. */
  label: string;
}

/** Each request of a probe gets this long. */
const PROBE_TIMEOUT_MS = 10_000;

/** A finding that settles the route's verdict. */
export class ProbeFinding extends Error {
  override readonly name = 'ProbeFinding';

  constructor(
    readonly level: ProbeLevel,
    message: string,
  ) {
    super(message);
  }
}

/** A token that expires sooner than this gets a warning, so that it is replaced before it fails. */
const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;

/**
 * No commit is at hand before the first event: the read names one that is well formed. Gitea and
 * Azure DevOps list its statuses (none) when the repository is there, so they answer for the
 * repository and the token; the Bitbuckets read one status by key, and 404 says less.
 */
export const PROBE_SHA = '0000000000000000000000000000000000000000';
export const PROBE_CONTEXT = 'flux-commit-status/selftest';

interface ProbeAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

type Fetch = typeof fetch;

/** The fetch of a probe: the secret's `ca.crt` trusted, as the forge clients trust it. */
export function probeFetch(credentials: ForgeCredentials): Fetch {
  const dispatcher = dispatcherFor(credentials.caCert);
  return ((url: string, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher })) as unknown as Fetch;
}

/** One GET whose failure to connect is the finding; any answer, JSON or not, is returned. */
export async function probeGet(
  forgeFetch: Fetch,
  url: string,
  headers: Record<string, string>,
): Promise<ProbeAnswer> {
  let response: Response;
  try {
    response = await forgeFetch(url, {
      headers: { 'user-agent': 'flux-commit-status', ...headers },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    throw new ProbeFinding(
      'fail',
      `${new URL(url).origin} is unreachable (${String(cause ?? (error as Error).name)})`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body };
}

/** The expiry as a note, a warning within 14 days, or a failure once it has passed. */
export function tokenExpiry(expiresAt: number | undefined, now: number): { note: string; level: ProbeLevel } {
  if (expiresAt === undefined || Number.isNaN(expiresAt)) return { note: '', level: 'ok' };
  const date = new Date(expiresAt).toISOString().slice(0, 10);
  const days = Math.floor((expiresAt - now) / DAY_MS);
  if (expiresAt <= now) throw new ProbeFinding('fail', `the token expired on ${date}`);
  if (days < EXPIRY_WARNING_DAYS)
    return { note: `; the token expires on ${date}, in ${days} days`, level: 'warn' };
  return { note: `; the token expires on ${date}`, level: 'ok' };
}

/**
 * For the forges that say nothing of a token's write permission when it reads statuses: a readable
 * endpoint is the most the self-test can prove without writing one; a refusal or no answer fails
 * (the client's read throws it).
 */
export async function probeByReading(
  label: string,
  read: (deadline: number) => Promise<ForgeAnswer>,
): Promise<ProbeResult> {
  const answer = await read(Date.now() + PROBE_TIMEOUT_MS);
  if (answer.status === 404) {
    return {
      level: 'warn',
      detail: `${label} answered 404 to a read of a status by key, as it does both for a commit without one and for a repository the token cannot see: neither the repository nor write permission could be proven`,
    };
  }
  return {
    level: 'warn',
    detail: `the token reads commit statuses on ${label}; write permission could not be proven (${label} does not tell)`,
  };
}
