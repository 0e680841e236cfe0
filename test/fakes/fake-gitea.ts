import { type FakeComment, FakeComments } from './fake-comments.js';
import { json, SpecCheckedFake } from './fake-forge.js';
import type { RecordedRequest, ScriptedResponse } from './loopback-server.js';

export interface GiteaStatus {
  id: number;
  /** Gitea's per-commit sequence, which `sort=highestindex` orders by. */
  index: number;
  status: string;
  context: string;
  description: string;
  target_url: string;
  created_at: string;
}

const WRITE = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/;
const LIST = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/(?:statuses|commits)\/([0-9a-f]{40})(?:\/statuses)?$/;
const ISSUE_COMMENTS = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/;
const COMMENT = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/;

function giteaComment({ id, body }: FakeComment) {
  return { id, body, user: { login: 'flux-commit-status' }, created_at: new Date().toISOString() };
}

/** Gitea's MAX_RESPONSE_ITEMS: a larger `limit` is cut to it. */
const MAX_LIMIT = 50;

/**
 * Gitea's commit statuses on 127.0.0.1 under `/api/v1`: every POST appends, lists are paged with
 * `page`/`limit` and a Link header, and sorted by `sort` (oldest first when asked `oldest`).
 */
export class FakeGitea extends SpecCheckedFake {
  readonly statuses = new Map<string, GiteaStatus[]>();
  /** Pull requests' comments (a pull request is an issue). */
  readonly comments = new FakeComments();
  #nextId = 1;

  /** The statuses of a commit, newest first. */
  statusesOf(repository: string, sha: string): GiteaStatus[] {
    return (this.statuses.get(`${repository}@${sha}`) ?? []).toReversed();
  }

  add(repository: string, sha: string, fields: Partial<GiteaStatus>): void {
    const key = `${repository}@${sha}`;
    const list = this.statuses.get(key) ?? [];
    list.push({
      id: this.#nextId++,
      index: list.length + 1,
      status: 'success',
      context: 'other',
      description: '',
      target_url: '',
      created_at: new Date().toISOString(),
      ...fields,
    });
    this.statuses.set(key, list);
  }

  protected handle(request: RecordedRequest): ScriptedResponse {
    const issueComments = ISSUE_COMMENTS.exec(request.path);
    if (issueComments) {
      const [repository, number] = [`${issueComments[1]}/${issueComments[2]}`, Number(issueComments[3])];
      return request.method === 'POST'
        ? this.comments.create(repository, number, json(request).body, giteaComment)
        : this.comments.list(repository, number, giteaComment);
    }
    const comment = COMMENT.exec(request.path);
    if (request.method === 'PATCH' && comment) {
      return this.comments.edit(Number(comment[3]), json(request).body, giteaComment);
    }
    const write = WRITE.exec(request.path);
    if (request.method === 'POST' && write) {
      const body = json(request);
      const repository = `${write[1]}/${write[2]}`;
      this.add(repository, write[3] as string, {
        status: body.state,
        context: body.context ?? 'default',
        description: body.description ?? '',
        target_url: body.target_url ?? '',
      });
      return { status: 201, body: this.statusesOf(repository, write[3] as string)[0] };
    }
    const list = LIST.exec(request.path);
    if (request.method === 'GET' && list) {
      let found = this.statuses.get(`${list[1]}/${list[2]}@${list[3]}`) ?? [];
      if (request.query.get('sort') !== 'oldest' && request.query.get('sort') !== 'leastindex') {
        found = found.toReversed();
      }
      const limit = Math.min(Number(request.query.get('limit') ?? 30), MAX_LIMIT);
      const page = Number(request.query.get('page') ?? 1);
      const headers: Record<string, string> = { 'x-total-count': String(found.length) };
      if (page * limit < found.length) {
        headers.link = `<${this.url}${request.path}?page=${page + 1}&limit=${limit}>; rel="next"`;
      }
      return { status: 200, headers, body: found.slice((page - 1) * limit, page * limit) };
    }
    return { status: 404, body: { message: 'The target couldn\u2019t be found.' } };
  }
}
