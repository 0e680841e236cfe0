import type { CommitRange, RangeOptions, RangeReader } from '../commit-range.js';
import { requireToken } from '../credentials.js';
import type {
  ChangeRequestCommenter,
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
import { upsertGiteaComment } from './comments.js';
import { giteaCommitRange } from './commit-range.js';
import type { GiteaLocation } from './descriptor.js';

const STATES: Record<StatusState, string> = {
  success: 'success',
  failure: 'failure',
  pending: 'pending',
  error: 'error',
};
/** Gitea's default ceiling for a page (MAX_RESPONSE_ITEMS). */
const PAGE_SIZE = 50;
const MAX_PAGES = 20;

interface GiteaStatus {
  status?: string;
  context?: string;
  description?: string | null;
}

/** Gitea sends a Link header; without one, a full page may be followed by another. */
function hasNextPage(answer: ForgeAnswer, count: number): boolean {
  const link = answer.headers.get('link');
  return link === null ? count === PAGE_SIZE : /rel="next"/.test(link);
}

class GiteaClient implements ForgeClient, ChangeRequestCommenter, RangeReader {
  readonly #http: ForgeHttp;

  constructor(
    private readonly location: GiteaLocation,
    token: string,
    caCert: string | undefined,
  ) {
    this.#http = new ForgeHttp({
      where: `Gitea ${location.repository}`,
      apiUrl: location.apiUrl,
      headers: { authorization: `token ${token}` },
      dispatcher: dispatcherFor(caCert),
    });
  }

  upsertComment(
    comment: Parameters<ChangeRequestCommenter['upsertComment']>[0],
    { deadline }: { deadline: number },
  ) {
    return upsertGiteaComment(this.#http, this.location, comment, deadline);
  }

  readStatuses(sha: string, deadline: number): Promise<ForgeAnswer> {
    return this.#http.request({ method: 'GET', path: this.#path(sha), query: { limit: 1 }, deadline });
  }

  #path(sha: string): string {
    const { owner, repo } = this.location;
    return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/statuses/${sha}`;
  }

  async write(status: CommitStatus, { deadline, checkForge }: WriteOptions): Promise<WriteResult> {
    const path = this.#path(status.sha);
    const state = STATES[status.state];
    const latest =
      checkForge === false ? undefined : await this.#latestWithContext(path, status.context, deadline);
    if (latest?.status === state && (latest.description ?? '') === status.description) {
      return { outcome: 'duplicate', forgeStatus: 200 };
    }
    const answer = await this.#http.request({
      method: 'POST',
      path,
      deadline,
      body: {
        state,
        context: status.context,
        description: status.description,
        ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
      },
    });
    return { outcome: 'written', forgeStatus: answer.status };
  }

  /** The commits a deployment carried: README "Commit ranges". */
  commitRange(base: string, head: string, options: RangeOptions): Promise<CommitRange> {
    return giteaCommitRange(this.#http, this.location, base, head, options);
  }

  /** The newest status with this context: `highestindex` lists a commit's statuses newest first. */
  async #latestWithContext(path: string, context: string, deadline: number) {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await this.#http.request({
        method: 'GET',
        path,
        query: { sort: 'highestindex', page, limit: PAGE_SIZE },
        deadline,
      });
      const statuses = Array.isArray(answer.body) ? (answer.body as GiteaStatus[]) : [];
      const found = statuses.find((item) => item.context === context);
      if (found !== undefined) return found;
      if (!hasNextPage(answer, statuses.length)) return undefined;
    }
    return undefined;
  }
}

export function createClient(location: GiteaLocation, credentials: ForgeCredentials): GiteaClient {
  const token = requireToken(credentials, `Gitea ${location.repository}`);
  return new GiteaClient(location, token, credentials.caCert);
}

/** The self-test's read: Gitea lists a commit's statuses, which says nothing of write permission. */
export function probe(
  location: GiteaLocation,
  credentials: ForgeCredentials,
  { label }: ProbeContext,
): Promise<ProbeResult> {
  return probeByReading(label, (deadline) =>
    createClient(location, credentials).readStatuses(PROBE_SHA, deadline),
  );
}
