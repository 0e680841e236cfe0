import type { CommitRange, RangeOptions, RangeReader } from '../commit-range.js';
import { basicAuthorization, requireToken } from '../credentials.js';
import type {
  CommitStatus,
  ForgeClient,
  ForgeCredentials,
  StatusState,
  WriteOptions,
  WriteResult,
} from '../forge.js';
import { dispatcherFor } from '../http/dispatcher.js';
import { type ForgeAnswer, ForgeHttp } from '../http/forge-http.js';
import { PROBE_SHA, type ProbeContext, type ProbeResult, probeByReading } from '../probe.js';
import { azureCommitRange } from './commit-range.js';
import type { AzureDevOpsLocation } from './descriptor.js';
import type { AzureDevOpsOptions } from './options.js';

/**
 * As Flux writes them: a failure is `error`, so that an Azure DevOps policy reads it as a broken
 * pipeline; a route may ask for `failed` instead (provider.failureState). No verdict is `error` too:
 * `notApplicable` would say the check does not concern the commit.
 */
const STATES: Record<StatusState, string> = {
  success: 'succeeded',
  failure: 'error',
  pending: 'pending',
  error: 'error',
};
const API_VERSION = '7.1';
const PAGE_SIZE = 100;
const MAX_PAGES = 20;

interface AzureStatus {
  id?: number;
  state?: string;
  description?: string | null;
  context?: { name?: string; genre?: string | null };
}

/** Flux's genre: `fluxcd`, or `fluxcd:<summary>` when the event carries a summary. */
function genreOf(status: CommitStatus): string {
  return status.summary === undefined || status.summary === '' ? 'fluxcd' : `fluxcd:${status.summary}`;
}

/** The wire format is `{count, value}`; the API description says a bare array, so take either. */
function statusesIn(body: unknown): AzureStatus[] {
  if (Array.isArray(body)) return body as AzureStatus[];
  const value = (body as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? (value as AzureStatus[]) : [];
}

class AzureDevOpsClient implements ForgeClient, RangeReader {
  readonly #http: ForgeHttp;
  readonly #states: Record<StatusState, string>;

  constructor(
    private readonly location: AzureDevOpsLocation,
    token: string,
    caCert: string | undefined,
    options: AzureDevOpsOptions,
  ) {
    this.#states = { ...STATES, failure: options.failureState ?? STATES.failure };
    this.#http = new ForgeHttp({
      where: `Azure DevOps ${location.repository}`,
      apiUrl: location.apiUrl,
      // A personal access token is the password of Basic; the user name is not read.
      headers: { authorization: basicAuthorization('', token) },
      dispatcher: dispatcherFor(caCert),
    });
  }

  readStatuses(sha: string, deadline: number): Promise<ForgeAnswer> {
    return this.#http.request({
      method: 'GET',
      path: this.#path(sha),
      query: { 'api-version': API_VERSION, latestOnly: true, top: 1 },
      deadline,
    });
  }

  #path(sha: string): string {
    const { project, repo } = this.location;
    return `/${encodeURIComponent(project)}/_apis/git/repositories/${encodeURIComponent(repo)}/commits/${sha}/statuses`;
  }

  /** The commits a deployment carried: README "Commit ranges". */
  commitRange(base: string, head: string, options: RangeOptions): Promise<CommitRange> {
    return azureCommitRange(this.#http, this.location, base, head, options);
  }

  async write(status: CommitStatus, { deadline, checkForge }: WriteOptions): Promise<WriteResult> {
    const path = this.#path(status.sha);
    const context = { name: status.context, genre: genreOf(status) };
    const state = this.#states[status.state];
    const latest = checkForge === false ? undefined : await this.#latestWithContext(path, context, deadline);
    if (latest?.state === state && (latest.description ?? '') === status.description) {
      return { outcome: 'duplicate', forgeStatus: 200 };
    }
    const answer = await this.#http.request({
      method: 'POST',
      path,
      query: { 'api-version': API_VERSION },
      deadline,
      body: {
        state,
        description: status.description,
        context,
        ...(status.targetUrl === undefined ? {} : { targetUrl: status.targetUrl }),
      },
    });
    return { outcome: 'written', forgeStatus: answer.status };
  }

  /**
   * The newest status with this genre and name. `latestOnly` keeps one per genre and name, but the
   * order of the list is not documented, so every page is read and the highest id wins.
   */
  async #latestWithContext(path: string, context: { name: string; genre: string }, deadline: number) {
    let latest: AzureStatus | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await this.#http.request({
        method: 'GET',
        path,
        query: { 'api-version': API_VERSION, latestOnly: true, top: PAGE_SIZE, skip: page * PAGE_SIZE },
        deadline,
      });
      const statuses = statusesIn(answer.body);
      for (const item of statuses) {
        const same = item.context?.name === context.name && (item.context?.genre ?? '') === context.genre;
        if (same && (latest === undefined || (item.id ?? 0) > (latest.id ?? 0))) latest = item;
      }
      if (statuses.length < PAGE_SIZE) break;
    }
    return latest;
  }
}

export function createClient(
  location: AzureDevOpsLocation,
  credentials: ForgeCredentials,
  options: AzureDevOpsOptions = {},
): AzureDevOpsClient {
  const token = requireToken(credentials, `Azure DevOps ${location.repository}`);
  return new AzureDevOpsClient(location, token, credentials.caCert, options);
}

/** The self-test's read: Azure DevOps lists a commit's statuses, which says nothing of write permission. */
export function probe(
  location: AzureDevOpsLocation,
  credentials: ForgeCredentials,
  { label }: ProbeContext,
): Promise<ProbeResult> {
  return probeByReading(label, (deadline) =>
    createClient(location, credentials).readStatuses(PROBE_SHA, deadline),
  );
}
