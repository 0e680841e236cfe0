import { type FakeComment, FakeComments } from './fake-comments.js';
import { SpecCheckedFake } from './fake-forge.js';
import type { RecordedRequest, ScriptedResponse } from './loopback-server.js';

export interface GitHubStatus {
  id: number;
  state: string;
  context: string;
  description: string | null;
  target_url: string | null;
  created_at: string;
}

const WRITE = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/;
const LIST = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/statuses$/;
const COMPARE = /^\/repos\/([^/]+)\/([^/]+)\/compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})$/;
/** GitHub's compare without pages lists at most this many commits, the newest of the comparison. */
const COMPARE_LIMIT = 250;
const DISPATCH = /^\/repos\/([^/]+)\/([^/]+)\/dispatches$/;

const ISSUE_COMMENTS = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/;
const COMMENT = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/;

const DEPLOYMENTS = /^\/repos\/([^/]+)\/([^/]+)\/deployments$/;
const DEPLOYMENT_STATUSES = /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/;

export interface GitHubDeployment {
  id: number;
  repository: string;
  sha: string;
  ref: string;
  environment: string;
  description: string | null;
  production_environment?: boolean;
  transient_environment?: boolean;
  /** GitHub keeps `payload` as sent (an object, or a string), `{}` when none was. */
  payload: Record<string, unknown> | string;
  /** Newest first, as GitHub lists them. */
  statuses: { id: number; state: string; description: string; environment_url?: string; log_url?: string }[];
}

export interface GitHubDispatch {
  repository: string;
  event_type: string;
  client_payload: Record<string, any>;
}

/** An issue comment as GitHub answers it, with the fields a client reads. */
function githubComment({ id, body }: FakeComment) {
  return { id, body, user: { login: 'flux-commit-status' }, created_at: new Date().toISOString() };
}

/**
 * A stateful GitHub on 127.0.0.1 for what Prism cannot show: statuses persist, so duplicates, pages
 * and scripted faults behave as on github.com. With a spec check, every request is also judged by
 * GitHub's own description through Prism, and a violation is answered with a 422 and kept.
 */
export class FakeGitHub extends SpecCheckedFake {
  readonly statuses = new Map<string, GitHubStatus[]>();
  /** Every `repository_dispatch` taken, in order. */
  readonly dispatches: GitHubDispatch[] = [];
  /** Deployments in creation order; `auto_inactive` acts on them as on github.com. */
  readonly deployments: GitHubDeployment[] = [];
  /** Pull requests' comments (a pull request is an issue). */
  readonly comments = new FakeComments();
  #nextId = 1;

  /** The statuses of a commit, newest first, as GitHub lists them. */
  statusesOf(repository: string, sha: string): GitHubStatus[] {
    return this.statuses.get(`${repository}/${sha}`) ?? [];
  }

  protected handle(request: RecordedRequest): ScriptedResponse {
    const write = WRITE.exec(request.path);
    if (request.method === 'POST' && write) {
      const body = JSON.parse(request.body);
      const key = `${write[1]}/${write[2]}/${write[3]}`;
      const status: GitHubStatus = {
        id: this.#nextId++,
        state: body.state,
        context: body.context ?? 'default',
        description: body.description ?? null,
        target_url: body.target_url ?? null,
        created_at: new Date().toISOString(),
      };
      this.statuses.set(key, [status, ...(this.statuses.get(key) ?? [])]);
      return { status: 201, body: status };
    }
    const compare = COMPARE.exec(request.path);
    if (request.method === 'GET' && compare) return this.#compare(compare[3] as string, compare[4] as string);
    const dispatch = DISPATCH.exec(request.path);
    if (request.method === 'POST' && dispatch) {
      const body = JSON.parse(request.body);
      this.dispatches.push({
        repository: `${dispatch[1]}/${dispatch[2]}`,
        event_type: body.event_type,
        client_payload: body.client_payload ?? {},
      });
      return { status: 204 };
    }
    const issueComments = ISSUE_COMMENTS.exec(request.path);
    if (issueComments) {
      const [repository, number] = [`${issueComments[1]}/${issueComments[2]}`, Number(issueComments[3])];
      return request.method === 'POST'
        ? this.comments.create(repository, number, JSON.parse(request.body).body, githubComment)
        : this.comments.list(repository, number, githubComment);
    }
    const comment = COMMENT.exec(request.path);
    if (request.method === 'PATCH' && comment) {
      return this.comments.edit(Number(comment[3]), JSON.parse(request.body).body, githubComment);
    }
    const deployments = DEPLOYMENTS.exec(request.path);
    if (deployments) return this.#deployments(`${deployments[1]}/${deployments[2]}`, request);
    const deploymentStatuses = DEPLOYMENT_STATUSES.exec(request.path);
    if (deploymentStatuses) return this.#deploymentStatuses(Number(deploymentStatuses[3]), request);
    const list = LIST.exec(request.path);
    if (request.method === 'GET' && list) {
      const all = this.statuses.get(`${list[1]}/${list[2]}/${list[3]}`) ?? [];
      const perPage = Number(request.query.get('per_page') ?? 30);
      const page = Number(request.query.get('page') ?? 1);
      return { status: 200, body: all.slice((page - 1) * perPage, page * perPage) };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }

  /** base...head as GitHub answers it: oldest first, with `status` saying how head relates to base. */
  #compare(base: string, head: string): ScriptedResponse {
    const ahead = this.graph.between(base, head);
    const behind = this.graph.between(head, base);
    const status =
      ahead.length === 0 && behind.length === 0
        ? 'identical'
        : behind.length === 0
          ? 'ahead'
          : ahead.length === 0
            ? 'behind'
            : 'diverged';
    const commits = ahead
      .slice(0, COMPARE_LIMIT)
      .toReversed()
      .map((sha) => ({ sha, parents: this.graph.parentsOf(sha).map((parent) => ({ sha: parent })) }));
    return {
      status: 200,
      body: {
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        commits,
      },
    };
  }

  /** The deployments of a commit in an environment, newest first. */
  deploymentsOf(repository: string, sha: string, environment: string): GitHubDeployment[] {
    return this.deployments
      .filter(
        (each) => each.repository === repository && each.sha === sha && each.environment === environment,
      )
      .reverse();
  }

  #deployments(repository: string, request: RecordedRequest): ScriptedResponse {
    if (request.method === 'POST') {
      const body = JSON.parse(request.body);
      const deployment: GitHubDeployment = {
        id: this.#nextId++,
        repository,
        sha: body.ref,
        ref: body.ref,
        environment: body.environment ?? 'production',
        description: body.description ?? null,
        payload: body.payload ?? {},
        ...(body.production_environment === undefined
          ? {}
          : { production_environment: body.production_environment }),
        ...(body.transient_environment === undefined
          ? {}
          : { transient_environment: body.transient_environment }),
        statuses: [],
      };
      this.deployments.push(deployment);
      const { statuses: _, ...shown } = deployment;
      return { status: 201, body: shown };
    }
    const sha = request.query.get('sha');
    const environment = request.query.get('environment');
    const found = this.deployments
      .filter((each) => each.repository === repository)
      .filter(
        (each) =>
          (sha === null || each.sha === sha) && (environment === null || each.environment === environment),
      )
      .reverse()
      .map(({ statuses: _, ...shown }) => shown);
    return { status: 200, body: found.slice(0, Number(request.query.get('per_page') ?? 30)) };
  }

  #deploymentStatuses(id: number, request: RecordedRequest): ScriptedResponse {
    const deployment = this.deployments.find((each) => each.id === id);
    if (deployment === undefined) return { status: 404, body: { message: 'Not Found' } };
    if (request.method === 'GET') {
      return { status: 200, body: deployment.statuses.slice(0, Number(request.query.get('per_page') ?? 30)) };
    }
    const body = JSON.parse(request.body);
    const status = {
      id: this.#nextId++,
      state: body.state,
      description: body.description ?? '',
      ...(body.environment_url === undefined ? {} : { environment_url: body.environment_url }),
      ...(body.log_url === undefined ? {} : { log_url: body.log_url }),
    };
    deployment.statuses.unshift(status);
    // GitHub: a success with auto_inactive (the default) makes the environment's other deployments
    // inactive: "all prior non-transient, non-production environment deployments".
    if (body.state === 'success' && body.auto_inactive !== false) {
      for (const other of this.deployments) {
        const same =
          other.repository === deployment.repository &&
          other.environment === deployment.environment &&
          other.transient_environment !== true;
        if (same && other.id !== id && other.statuses[0]?.state === 'success') {
          other.statuses.unshift({ id: this.#nextId++, state: 'inactive', description: '' });
        }
      }
    }
    return { status: 201, body: status };
  }
}
