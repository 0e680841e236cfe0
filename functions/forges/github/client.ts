import { Octokit } from '@octokit/rest';
import { ForgeUnavailableError, RelayError } from '../../core/errors.js';
import { truncate } from '../../core/text.js';
import { requireToken } from '../credentials.js';
import { deadlineSignal, remainingMs } from '../deadline.js';
import type { CommitStatus, ForgeClient, ForgeCredentials, WriteOptions, WriteResult } from '../forge.js';
import {
  attemptsText,
  connectionFault,
  finalRejection,
  forgeMessage,
  keptFailing,
  unreachable,
} from '../forge-errors.js';
import { forgeFetch } from '../http/forge-fetch.js';
import type { GitHubLocation } from './address.js';
import { appAuthStrategy, InstallationTokens } from './app-auth.js';
import { answerBody, errorStatus, gaveUpOf } from './octokit-errors.js';
import { applyRequestPolicy } from './request-policy.js';

/** GitHub's server-side limits, which its API description does not state. */
export const GITHUB_DESCRIPTION_LIMIT = 140;
/** GitHub refuses a longer context with a 422; a template of values from the event can render one. */
export const GITHUB_CONTEXT_LIMIT = 255;
const PER_PAGE = 100;
/** GitHub keeps at most 1000 statuses per commit and context: ten full pages. */
const MAX_PAGES = 10;

/**
 * GitHub allows about one content-creating request a second before its secondary rate limit; the
 * request policy spaces writes that far apart unless told otherwise (tests and the benchmark).
 */
function writeSpacingMs(): number {
  const configured = Number(process.env.GITHUB_WRITE_SPACING_MS);
  return Number.isFinite(configured) && configured >= 0 ? configured : 1000;
}

export class GitHubClient implements ForgeClient {
  readonly #octokit: Octokit;

  constructor(
    private readonly location: GitHubLocation,
    credentials: ForgeCredentials,
  ) {
    // The same connections as every other forge: HTTPS_PROXY / NO_PROXY, and the secret's ca.crt.
    const fetchFn = forgeFetch(credentials.caCert);
    const { token, githubApp } = credentials;
    this.#octokit = new Octokit({
      // A token wins over App keys, as in Flux.
      ...((token !== undefined && token !== '') || githubApp === undefined
        ? { auth: token }
        : { authStrategy: appAuthStrategy(new InstallationTokens(githubApp, location, fetchFn)) }),
      baseUrl: location.apiUrl,
      userAgent: 'flux-commit-status',
      request: { fetch: fetchFn },
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    applyRequestPolicy(this.#octokit, { retries: 2, backoffMs: 250, writeSpacingMs: writeSpacingMs() });
  }

  async write(status: CommitStatus, options: WriteOptions): Promise<WriteResult> {
    const description = truncate(status.description, GITHUB_DESCRIPTION_LIMIT);
    const context = truncate(status.context, GITHUB_CONTEXT_LIMIT);
    const request = { signal: deadlineSignal(options.deadline), deadline: options.deadline };
    try {
      const latest =
        options.checkForge === false
          ? undefined
          : await this.#latestWithContext({ ...status, context }, request);
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
    // The App's token request has already said what went wrong.
    if (error instanceof RelayError) return error;
    const status = errorStatus(error);
    const where = `GitHub ${this.location.repository}`;
    // octokit reports a failed connection as a 500 with no response: no GitHub answered it.
    const fault = (error as { response?: unknown }).response
      ? undefined
      : connectionFault(error, this.location.apiUrl);
    // Every request goes through the request policy, which says how it gave up.
    const gaveUp = gaveUpOf(error) ?? { attempts: 1 };
    if (fault !== undefined) return unreachable(where, fault, attemptsText(gaveUp.attempts));
    if (status !== undefined && status !== 429 && status < 500 && !isRateLimit(error)) {
      return finalRejection(where, status, forgeMessage(answerBody(error)));
    }
    if (status === undefined || remainingMs(deadline) <= 0) {
      return new ForgeUnavailableError(`${where} did not answer in time`, status);
    }
    return keptFailing(where, status, gaveUp.attempts, forgeMessage(answerBody(error)), gaveUp.askedWaitMs);
  }
}

function isRateLimit(error: unknown): boolean {
  const headers = (error as { response?: { headers?: Record<string, string> } }).response?.headers;
  return headers?.['x-ratelimit-remaining'] === '0' || /rate limit/i.test(forgeMessage(answerBody(error)));
}

export function createClient(location: GitHubLocation, credentials: ForgeCredentials): ForgeClient {
  // Flux's precedence: a token wins; an App is read only without one.
  if (credentials.githubApp === undefined) {
    requireToken(credentials, `GitHub ${location.repository}`, ' (nor githubAppID and githubAppPrivateKey)');
  }
  return new GitHubClient(location, credentials);
}
