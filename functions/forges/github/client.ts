import { Octokit } from '@octokit/rest';
import { ForgeUnavailableError, RelayError } from '../../core/errors.js';
import { truncate } from '../../core/text.js';
import type { CommitRange, RangeOptions, RangeReader } from '../commit-range.js';
import { requireToken } from '../credentials.js';
import { deadlineSignal, remainingMs } from '../deadline.js';
import type {
  ChangeRequestCommenter,
  CommitStatus,
  DeploymentStatus,
  DeploymentWriteOptions,
  DeploymentWriter,
  ForgeClient,
  ForgeCredentials,
  NewDeployment,
  RepositoryDispatcher,
  WriteOptions,
  WriteResult,
} from '../forge.js';
import {
  attemptsText,
  connectionFault,
  finalRejection,
  forgeMessage,
  keptFailing,
  unreachable,
} from '../forge-errors.js';
import { createForgeFetch } from '../http/forge-fetch.js';
import { createAppAuthStrategy, InstallationTokens } from './app-auth.js';
import { upsertGitHubComment } from './comments.js';
import { githubCommitRange } from './commit-range.js';
import type { GitHubLocation } from './descriptor.js';
import { GITHUB_DESCRIPTION_LIMIT } from './descriptor.js';
import { answerBody, errorStatus, gaveUpOf } from './octokit-errors.js';
import { applyRequestPolicy } from './request-policy.js';

/** GitHub's server-side limits, which its API description does not state. */
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

export class GitHubClient
  implements ForgeClient, RepositoryDispatcher, DeploymentWriter, ChangeRequestCommenter, RangeReader
{
  readonly #octokit: Octokit;

  constructor(
    private readonly location: GitHubLocation,
    credentials: ForgeCredentials,
  ) {
    // The same connections as every other forge: HTTPS_PROXY / NO_PROXY, and the secret's ca.crt.
    const fetchFn = createForgeFetch(credentials.caCert);
    const { token, githubApp } = credentials;
    this.#octokit = new Octokit({
      // A token wins over App keys, as in Flux.
      ...((token !== undefined && token !== '') || githubApp === undefined
        ? { auth: token }
        : { authStrategy: createAppAuthStrategy(new InstallationTokens(githubApp, location, fetchFn)) }),
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
    const request = {
      signal: deadlineSignal(options.deadline),
      deadline: options.deadline,
      ...(options.deferAfterMs === undefined ? {} : { deferSpacingAfterMs: options.deferAfterMs }),
    };
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

  /** Sends `repository_dispatch`; GitHub answers 204 and starts the workflows that listen for it. */
  async dispatch(
    eventType: string,
    clientPayload: Record<string, unknown>,
    options: { deadline: number },
  ): Promise<void> {
    const request = { signal: deadlineSignal(options.deadline), deadline: options.deadline };
    try {
      await this.#octokit.rest.repos.createDispatchEvent({
        owner: this.location.owner,
        repo: this.location.repo,
        event_type: eventType,
        client_payload: clientPayload,
        request,
      });
    } catch (error) {
      throw this.#translate(error, options.deadline);
    }
  }

  /** The newest deployment of this commit to this environment, if there is one. */
  async findDeployment(sha: string, environment: string, options: { deadline: number }) {
    return this.#call(options.deadline, async (request) => {
      const { data } = await this.#octokit.rest.repos.listDeployments({
        ...this.#repository(),
        sha,
        environment,
        per_page: 1,
        request,
      });
      return data[0]?.id;
    });
  }

  /**
   * A deployment of the commit itself (no merge, no required contexts: the clusters already run it),
   * so that GitHub's environment page shows what runs where.
   */
  async createDeployment(deployment: NewDeployment, options: DeploymentWriteOptions): Promise<number> {
    return this.#call(options, async (request) => {
      const response = await this.#octokit.rest.repos.createDeployment({
        ...this.#repository(),
        ref: deployment.sha,
        environment: deployment.environment,
        description: truncate(deployment.description, GITHUB_DESCRIPTION_LIMIT),
        auto_merge: false,
        required_contexts: [],
        ...(deployment.productionEnvironment === undefined
          ? {}
          : { production_environment: deployment.productionEnvironment }),
        ...(deployment.transientEnvironment === true ? { transient_environment: true } : {}),
        ...(deployment.payload === undefined ? {} : { payload: deployment.payload }),
        request,
      });
      const id = (response.data as { id?: unknown }).id;
      if (typeof id !== 'number') {
        throw new ForgeUnavailableError(
          `GitHub ${this.location.repository} created no deployment`,
          response.status,
        );
      }
      return id;
    });
  }

  /** GitHub lists a deployment's statuses newest first. */
  async deploymentShows(
    id: number,
    state: DeploymentStatus['state'],
    description: string,
    options: { deadline: number },
  ): Promise<boolean> {
    return this.#call(options.deadline, async (request) => {
      const { data } = await this.#octokit.rest.repos.listDeploymentStatuses({
        ...this.#repository(),
        deployment_id: id,
        per_page: 1,
        request,
      });
      const latest = data[0];
      return (
        latest?.state === state &&
        (latest.description ?? '') === truncate(description, GITHUB_DESCRIPTION_LIMIT)
      );
    });
  }

  async createDeploymentStatus(id: number, status: DeploymentStatus, options: DeploymentWriteOptions) {
    await this.#call(options, (request) =>
      this.#octokit.rest.repos.createDeploymentStatus({
        ...this.#repository(),
        deployment_id: id,
        state: status.state,
        description: truncate(status.description, GITHUB_DESCRIPTION_LIMIT),
        auto_inactive: status.autoInactive,
        ...(status.environmentUrl === undefined ? {} : { environment_url: status.environmentUrl }),
        ...(status.logUrl === undefined ? {} : { log_url: status.logUrl }),
        request,
      }),
    );
  }

  /** The commits a deployment carried: README "Commit ranges". */
  commitRange(base: string, head: string, options: RangeOptions): Promise<CommitRange> {
    return this.#call(options.deadline, (request) =>
      githubCommitRange(this.#octokit, this.location, base, head, options, request),
    );
  }

  upsertComment(
    comment: Parameters<ChangeRequestCommenter['upsertComment']>[0],
    options: { deadline: number },
  ) {
    return this.#call(options.deadline, (request) =>
      upsertGitHubComment(this.#octokit, this.location, comment, request),
    );
  }

  #repository() {
    return { owner: this.location.owner, repo: this.location.repo };
  }

  /** One request with the deadline's signal, its failure translated as a status write's. */
  async #call<T>(
    at: number | DeploymentWriteOptions,
    call: (request: { signal: AbortSignal; deadline: number; deferSpacingAfterMs?: number }) => Promise<T>,
  ) {
    const { deadline, deferAfterMs } =
      typeof at === 'number' ? { deadline: at, deferAfterMs: undefined } : at;
    try {
      return await call({
        signal: deadlineSignal(deadline),
        deadline,
        ...(deferAfterMs === undefined ? {} : { deferSpacingAfterMs: deferAfterMs }),
      });
    } catch (error) {
      throw this.#translate(error, deadline);
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

export { probe } from './probe.js';
