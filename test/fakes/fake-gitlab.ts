import { type FakeComment, FakeComments } from './fake-comments.js';
import { json, SpecCheckedFake } from './fake-forge.js';
import { readSpec } from './forge-specs.js';
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

function gitlabNote({ id, body }: FakeComment) {
  return {
    id,
    body,
    system: false,
    noteable_type: 'MergeRequest',
    author: { id: 1, username: 'flux-commit-status' },
    created_at: new Date().toISOString(),
  };
}

type DocumentedOperation = { method: string; query?: string[] };
/** Read when first needed: a checkout without the shared descriptions still runs the other tests. */
const notesOperations = (): DocumentedOperation[] =>
  Object.values(
    (
      readSpec('gitlab')['x-contract'] as unknown as {
        missingFromSpec: { operations: Record<string, DocumentedOperation> };
      }
    ).missingFromSpec.operations,
  );
/** The note body's limit that GitLab's documentation states. */
const NOTE_BODY_LIMIT = 1_000_000;

/**
 * Judges a merge request note request by GitLab's Notes API documentation, as recorded in
 * gitlab.json's `x-contract.missingFromSpec`: Prism cannot, the description lacks these paths.
 */
function checkNoteRequest(request: RecordedRequest, byId: boolean): string[] {
  const operation = notesOperations().find(
    (each) => each.method === request.method && (byId ? each.method === 'PUT' : each.method !== 'PUT'),
  );
  if (operation === undefined) return [`${request.method} is not a documented notes operation here`];
  const violations: string[] = [];
  const allowed = new Set((operation.query ?? []).map((entry) => entry.split(' ')[0]));
  for (const [key, value] of request.query) {
    if (!allowed.has(key)) violations.push(`query ${key} is not documented`);
    if (key === 'sort' && !['asc', 'desc'].includes(value)) violations.push(`sort must be asc or desc`);
    if (key === 'order_by' && !['created_at', 'updated_at'].includes(value))
      violations.push('order_by must be created_at or updated_at');
    if ((key === 'page' || key === 'per_page') && !/^[1-9]\d*$/.test(value))
      violations.push(`${key} must be a number`);
  }
  if (request.method !== 'GET') {
    const body = request.body === '' ? {} : JSON.parse(request.body);
    if (typeof body.body !== 'string') violations.push('body is required and must be a string');
    else if (body.body.length > NOTE_BODY_LIMIT)
      violations.push(`body is over ${NOTE_BODY_LIMIT} characters`);
  }
  return violations;
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
  readonly #notes: RegExp;
  /** Merge requests' notes: GitLab's OpenAPI description lacks them (see `checkNoteRequest`). */
  readonly comments = new FakeComments();

  constructor(spec?: SpecCheckOptions, prefix = '') {
    super(spec);
    this.#write = new RegExp(`^${prefix}/api/v4/projects/([^/]+)/statuses/([0-9a-f]{40})$`);
    this.#notes = new RegExp(`^${prefix}/api/v4/projects/([^/]+)/merge_requests/(\\d+)/notes(?:/(\\d+))?$`);
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

  protected override documentedCheck(request: RecordedRequest): string[] | undefined {
    if (!this.#notes.test(request.path)) return undefined;
    return checkNoteRequest(request, this.#notes.exec(request.path)?.[3] !== undefined);
  }

  protected handle(request: RecordedRequest): ScriptedResponse {
    const notes = this.#notes.exec(request.path);
    if (notes) {
      const [project, iid, noteId] = [decodeURIComponent(notes[1] as string), Number(notes[2]), notes[3]];
      if (noteId !== undefined) return this.comments.edit(Number(noteId), json(request).body, gitlabNote);
      return request.method === 'POST'
        ? this.comments.create(project, iid, json(request).body, gitlabNote)
        : this.comments.list(project, iid, gitlabNote);
    }
    const write = this.#write.exec(request.path);
    if (request.method === 'POST' && write) {
      return this.#post(decodeURIComponent(write[1] as string), write[2] as string, json(request));
    }
    const list = this.#list.exec(request.path);
    if (request.method === 'GET' && list) {
      return this.#listStatuses(decodeURIComponent(list[1] as string), list[2] as string, request.query);
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
