import { json, SpecCheckedFake } from './fake-forge.js';
import type { RecordedRequest, ScriptedResponse } from './loopback-server.js';
import type { SpecCheckOptions } from './spec-check.js';

export interface GitLabStatus {
  id: number;
  sha: string;
  ref: string | null;
  status: string;
  name: string;
  description: string | null;
  target_url: string | null;
  created_at: string;
  /** GitLab marks the older statuses of a name as retried when a new one is created. */
  retried: boolean;
}

const ACTIVE = new Set(['pending', 'running']);
const VERB: Record<string, string> = { pending: 'enqueue', running: 'run' };

/**
 * GitLab's commit statuses on 127.0.0.1 (`/api/v4`, or under `prefix` for an instance on a
 * sub-path), with GitLab's state machine: a pending or running status of the same name and ref is
 * updated in place, and posting its own state again is refused with 400 "Cannot transition status".
 * Lists sort ascending by id unless asked otherwise, 20 a page, as GitLab does.
 */
export class FakeGitLab extends SpecCheckedFake {
  readonly statuses: GitLabStatus[] = [];
  /** False plays a GitLab that ignores the `name` filter and lists every status of the commit. */
  filtersByName = true;
  #nextId = 1;
  readonly #write: RegExp;
  readonly #list: RegExp;
  readonly #compare: RegExp;

  constructor(spec?: SpecCheckOptions, prefix = '') {
    super(spec);
    this.#write = new RegExp(`^${prefix}/api/v4/projects/([^/]+)/statuses/([0-9a-f]{40})$`);
    this.#compare = new RegExp(`^${prefix}/api/v4/projects/([^/]+)/repository/compare$`);
    this.#list = new RegExp(`^${prefix}/api/v4/projects/([^/]+)/repository/commits/([0-9a-f]{40})/statuses$`);
  }

  /** The statuses of a project's commit, newest first. `project` is the path or the numeric id. */
  statusesOf(project: string, sha: string): GitLabStatus[] {
    return this.#of(project, sha).toReversed();
  }

  /** Another tool's statuses, to fill pages. */
  add(project: string, sha: string, fields: Partial<GitLabStatus>): void {
    this.statuses.push({
      id: this.#nextId++,
      sha: `${project}@${sha}`,
      ref: 'main',
      status: 'success',
      name: 'other',
      description: null,
      target_url: null,
      created_at: new Date().toISOString(),
      retried: false,
      ...fields,
    });
  }

  #of(project: string, sha: string): GitLabStatus[] {
    return this.statuses.filter((status) => status.sha === `${project}@${sha}`);
  }

  protected handle(request: RecordedRequest): ScriptedResponse {
    const write = this.#write.exec(request.path);
    if (request.method === 'POST' && write) {
      return this.#post(decodeURIComponent(write[1] as string), write[2] as string, json(request));
    }
    const list = this.#list.exec(request.path);
    if (request.method === 'GET' && list) {
      return this.#listStatuses(decodeURIComponent(list[1] as string), list[2] as string, request.query);
    }
    if (request.method === 'GET' && this.#compare.test(request.path)) {
      const from = request.query.get('from') ?? '';
      const to = request.query.get('to') ?? '';
      const commits = this.graph
        .between(from, to)
        .toReversed()
        .map((id) => ({ id, short_id: id.slice(0, 8), parent_ids: [...this.graph.parentsOf(id)] }));
      return {
        status: 200,
        body: { commit: commits.at(-1) ?? null, commits, diffs: [], compare_same_ref: from === to },
      };
    }
    return { status: 404, body: { message: '404 Not Found' } };
  }

  #post(project: string, sha: string, body: Record<string, any>): ScriptedResponse {
    // GitLab's app/models/commit_status.rb: `validates :ref, :target_url, :description, length: { maximum: 255 }`.
    for (const field of ['target_url', 'description'] as const) {
      if (typeof body[field] === 'string' && Array.from(body[field] as string).length > 255) {
        return { status: 400, body: { message: { [field]: ['is too long (maximum is 255 characters)'] } } };
      }
    }
    const name = body.name ?? body.context ?? 'default';
    const ref = body.ref ?? 'main';
    const same = this.#of(project, sha).filter((status) => status.name === name && status.ref === ref);
    const active = same.find((status) => ACTIVE.has(status.status) && !status.retried);
    if (active !== undefined) {
      if (active.status === body.state) {
        return {
          status: 400,
          body: { message: `Cannot transition status via :${VERB[body.state]} from :${active.status}` },
        };
      }
      Object.assign(active, {
        status: body.state,
        description: body.description ?? null,
        target_url: body.target_url ?? null,
      });
      return { status: 200, body: this.#entity(active) };
    }
    for (const older of same) older.retried = true;
    this.add(project, sha, {
      ref,
      name,
      status: body.state,
      description: body.description ?? null,
      target_url: body.target_url ?? null,
    });
    return { status: 200, body: this.#entity(this.statuses.at(-1) as GitLabStatus) };
  }

  #listStatuses(project: string, sha: string, query: URLSearchParams): ScriptedResponse {
    let found = this.#of(project, sha).filter((status) => query.get('all') === 'true' || !status.retried);
    const ref = query.get('ref');
    const name = query.get('name');
    if (ref !== null) found = found.filter((status) => status.ref === ref);
    if (name !== null && this.filtersByName) found = found.filter((status) => status.name === name);
    if (query.get('sort') === 'desc') found = found.toReversed();
    const perPage = Math.min(Number(query.get('per_page') ?? 20), 100);
    const page = Number(query.get('page') ?? 1);
    const more = page * perPage < found.length;
    return {
      status: 200,
      headers: {
        'x-page': String(page),
        'x-per-page': String(perPage),
        'x-total': String(found.length),
        'x-next-page': more ? String(page + 1) : '',
      },
      body: found.slice((page - 1) * perPage, page * perPage).map((status) => this.#entity(status)),
    };
  }

  #entity(status: GitLabStatus) {
    const { retried: _retried, ...entity } = status;
    return { ...entity, sha: status.sha.split('@')[1], allow_failure: false };
  }
}
