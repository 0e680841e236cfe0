import { type CommitablePipelineStatus, type CommitStatusSchema, Commits } from '@gitbeaker/rest';
import { truncate } from '../../core/text.js';
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
import { finalRejection, forgeMessage } from '../forge-errors.js';
import { dispatcherFor } from '../http/dispatcher.js';
import { ForgeHttp } from '../http/forge-http.js';
import { upsertGitLabNote } from './comments.js';
import { gitlabCommitRange } from './commit-range.js';
import type { GitLabLocation } from './descriptor.js';
import { GITLAB_DESCRIPTION_LIMIT } from './descriptor.js';
import { requesterFor } from './requester.js';

/**
 * GitLab has a distinct `running`, which its merge requests show as in progress. No verdict is
 * `canceled`: ended without a result, where `failed` would say the deployment failed.
 */
const STATES: Record<StatusState, CommitablePipelineStatus> = {
  success: 'success',
  failure: 'failed',
  pending: 'running',
  error: 'canceled',
};
/**
 * GitLab refuses a longer `target_url` or `description` with a 400: `validates :ref, :target_url,
 * :description, length: { maximum: 255 }` in app/models/commit_status.rb, not in its API description.
 */
const GITLAB_TARGET_URL_LIMIT = 255;
const PER_PAGE = 100;
const MAX_PAGES = 10;
/** GitLab's state machine refuses `running` → `running` with a 400: the status is already there. */
const SAME_STATE = /cannot transition status/i;

class GitLabClient implements ForgeClient, ChangeRequestCommenter, RangeReader {
  readonly #http: ForgeHttp;
  readonly #where: string;

  constructor(
    private readonly location: GitLabLocation,
    private readonly token: string,
    caCert: string | undefined,
  ) {
    this.#where = `GitLab ${location.repository}`;
    this.#http = new ForgeHttp({
      where: this.#where,
      apiUrl: location.apiUrl,
      headers: {},
      dispatcher: dispatcherFor(caCert),
    });
  }

  upsertComment(
    comment: Parameters<ChangeRequestCommenter['upsertComment']>[0],
    { deadline }: { deadline: number },
  ) {
    return upsertGitLabNote(this.#http, this.token, this.location, comment, deadline);
  }

  async write(status: CommitStatus, { deadline, checkForge }: WriteOptions): Promise<WriteResult> {
    // A Commits resource costs about a millisecond; one per write carries that write's deadline.
    const commits = new Commits({
      host: this.location.apiUrl.replace(/\/api\/v4$/, ''),
      token: this.token,
      requesterFn: requesterFor(this.#http, deadline, { POST: [400] }),
    });
    const { projectId } = this.location;
    const state = STATES[status.state];
    // Flux revisions name a branch or a tag; GitLab wants the bare name of either.
    const ref = status.ref?.replace(/^refs\/tags\//, '');
    const description = truncate(status.description, GITLAB_DESCRIPTION_LIMIT);
    const latest = checkForge === false ? undefined : await this.#latest(commits, status, ref);
    if (latest?.status === state && (latest.description ?? '') === description) {
      return { outcome: 'duplicate', forgeStatus: 200 };
    }
    const targetUrl =
      status.targetUrl !== undefined && status.targetUrl.length <= GITLAB_TARGET_URL_LIMIT
        ? status.targetUrl
        : undefined;
    const answer = await commits.editStatus(projectId, status.sha, state, {
      name: status.context,
      description,
      ...(ref === undefined ? {} : { ref }),
      // A cut URL would lead nowhere; a URL over the limit is left out rather than refused.
      ...(targetUrl === undefined ? {} : { targetUrl }),
      showExpanded: true,
    });
    if (answer.status === 400) {
      const message = forgeMessage(answer.data);
      if (SAME_STATE.test(message)) return { outcome: 'duplicate', forgeStatus: 400 };
      throw finalRejection(this.#where, 400, message);
    }
    return { outcome: 'written', forgeStatus: answer.status };
  }

  /** The commits a deployment carried: README "Commit ranges". */
  commitRange(base: string, head: string, options: RangeOptions): Promise<CommitRange> {
    return gitlabCommitRange(this.#http, this.location, base, head, options, this.token);
  }

  /**
   * The newest status with this name (and ref), newest first by id. Flux read only GitLab's first
   * page of 20, unfiltered, and so missed its own statuses on busy commits.
   */
  async #latest(commits: Commits, status: CommitStatus, ref: string | undefined) {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query = {
        name: status.context,
        ...(ref === undefined ? {} : { ref }),
        orderBy: 'id',
        sort: 'desc',
        perPage: PER_PAGE,
        page,
      };
      const statuses: CommitStatusSchema[] = await commits.allStatuses(
        this.location.projectId,
        status.sha,
        query,
      );
      const found = statuses.find(
        (item) => item.name === status.context && (ref === undefined || item.ref === ref),
      );
      if (found !== undefined) return found;
      if (statuses.length < PER_PAGE) return undefined;
    }
    return undefined;
  }
}

export function createClient(location: GitLabLocation, credentials: ForgeCredentials): ForgeClient {
  const token = requireToken(credentials, `GitLab ${location.repository}`);
  return new GitLabClient(location, token, credentials.caCert);
}

export { probe } from './probe.js';
