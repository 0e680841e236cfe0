import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck/light.js';
import { fetch as undiciFetch } from 'undici';
import { ForgeUnavailableError, RouteMisconfiguredError } from '../../core/errors.js';
import { truncate } from '../../core/text.js';
import { deadlineSignal, remainingMs } from '../deadline.js';
import type { CommitStatus, ForgeClient, ForgeCredentials, WriteOptions, WriteResult } from '../forge.js';
import { finalRejection } from '../forge-errors.js';
import { dispatcherFor } from '../http/dispatcher.js';
import type { GitHubLocation } from './address.js';

/** GitHub's server-side limits, which its API description does not state. */
export const GITHUB_DESCRIPTION_LIMIT = 140;
/** GitHub refuses a longer context with a 422; a template of values from the event can render one. */
export const GITHUB_CONTEXT_LIMIT = 255;
const PER_PAGE = 100;
/** GitHub keeps at most 1000 statuses per commit and context: ten full pages. */
const MAX_PAGES = 10;

const GitHubOctokit = Octokit.plugin(retry, throttling);

/** Retry a rate limit only when GitHub's wait still fits in the request's deadline. */
function retryWithinDeadline(
  retryAfterSeconds: number,
  options: { request: object },
  _octokit: unknown,
  retryCount: number,
) {
  const deadline = (options.request as { deadline?: number }).deadline ?? 0;
  return retryCount < 2 && Date.now() + retryAfterSeconds * 1000 < deadline;
}

/**
 * GitHub allows about one content-creating request a second before its secondary rate limit; the
 * throttling plugin spaces writes that far apart unless told otherwise (tests and the benchmark).
 */
function writeSpacingMs(): number {
  const configured = Number(process.env.GITHUB_WRITE_SPACING_MS);
  return Number.isFinite(configured) && configured >= 0 ? configured : 1000;
}

function errorStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

function forgeMessage(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  return typeof data?.message === 'string' ? data.message : 'no message';
}

function githubFetch(dispatcher: ReturnType<typeof dispatcherFor>): typeof fetch {
  return ((url: string, init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(url, { ...init, dispatcher })) as unknown as typeof fetch;
}

export class GitHubClient implements ForgeClient {
  readonly #octokit: InstanceType<typeof GitHubOctokit>;

  constructor(
    private readonly location: GitHubLocation,
    credentials: ForgeCredentials,
  ) {
    this.#octokit = new GitHubOctokit({
      auth: credentials.token,
      baseUrl: location.apiUrl,
      userAgent: 'flux-commit-status',
      // The same connections as every other forge: HTTPS_PROXY / NO_PROXY, and the secret's ca.crt.
      request: { fetch: githubFetch(dispatcherFor(credentials.caCert)) },
      retry: { retries: 2, retryAfterBaseValue: 250 },
      throttle: {
        id: location.apiUrl,
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeSpacingMs() }),
        onRateLimit: retryWithinDeadline,
        onSecondaryRateLimit: retryWithinDeadline,
      },
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
  }

  async write(status: CommitStatus, options: WriteOptions): Promise<WriteResult> {
    const description = truncate(status.description, GITHUB_DESCRIPTION_LIMIT);
    const context = truncate(status.context, GITHUB_CONTEXT_LIMIT);
    const request = { signal: deadlineSignal(options.deadline), deadline: options.deadline };
    try {
      const latest = await this.#latestWithContext({ ...status, context }, request);
      if (latest?.state === status.state && (latest.description ?? '') === description) {
        return { outcome: 'duplicate', forgeStatus: 200 };
      }
      const response = await this.#octokit.rest.repos.createCommitStatus({
        owner: this.location.owner,
        repo: this.location.repo,
        sha: status.sha,
        state: status.state,
        context,
        description,
        ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
        request,
      });
      return { outcome: 'written', forgeStatus: response.status };
    } catch (error) {
      throw this.#translate(error, options.deadline);
    }
  }

  /** The newest status with this context; GitHub lists newest first and compares contexts case-blind. */
  async #latestWithContext(status: CommitStatus, request: object) {
    const wanted = status.context.toLowerCase();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { data } = await this.#octokit.rest.repos.listCommitStatusesForRef({
        owner: this.location.owner,
        repo: this.location.repo,
        ref: status.sha,
        per_page: PER_PAGE,
        page,
        request,
      });
      const found = data.find((item) => item.context.toLowerCase() === wanted);
      if (found !== undefined) return found;
      if (data.length < PER_PAGE) return undefined;
    }
    return undefined;
  }

  #translate(error: unknown, deadline: number): Error {
    const status = errorStatus(error);
    const where = `GitHub ${this.location.repository}`;
    if (status !== undefined && status !== 429 && status < 500 && !isRateLimit(error)) {
      return finalRejection(where, status, forgeMessage(error));
    }
    if (status === undefined || remainingMs(deadline) <= 0) {
      return new ForgeUnavailableError(`${where} did not answer in time (${describeCause(error)})`, status);
    }
    return new ForgeUnavailableError(
      `${where} answered ${status} after retries: ${forgeMessage(error)}`,
      status,
    );
  }
}

function isRateLimit(error: unknown): boolean {
  const headers = (error as { response?: { headers?: Record<string, string> } }).response?.headers;
  return headers?.['x-ratelimit-remaining'] === '0' || /rate limit/i.test(forgeMessage(error));
}

function describeCause(error: unknown): string {
  // Node's own codes are words (ECONNRESET); an AbortSignal's DOMException carries a number instead.
  const cause = (error as { cause?: { code?: unknown; name?: string } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return cause?.name ?? (error as Error).name;
}

export function createClient(location: GitHubLocation, credentials: ForgeCredentials): ForgeClient {
  if (credentials.token === undefined || credentials.token === '') {
    throw new RouteMisconfiguredError(`the secret for GitHub ${location.repository} has no "token"`);
  }
  return new GitHubClient(location, credentials);
}
