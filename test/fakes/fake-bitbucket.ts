import { json, SpecCheckedFake } from './fake-forge.js';
import type { RecordedRequest, ScriptedResponse } from './loopback-server.js';

export interface BitbucketStatus {
  type: 'build';
  key: string;
  state: string;
  name: string;
  url: string;
  description: string;
  created_on: string;
  updated_on: string;
}

const BUILDS =
  /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/commit\/([0-9a-f]{40})\/statuses\/build(?:\/([^/]+))?$/;

const COMMITS = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]{40})$/;

/**
 * Bitbucket Cloud's build statuses on 127.0.0.1 under `/2.0`: a POST upserts by `key`, which the
 * service refuses beyond 40 characters, and a GET by key answers 404 until one exists.
 */
export class FakeBitbucket extends SpecCheckedFake {
  readonly statuses = new Map<string, Map<string, BitbucketStatus>>();

  /** The statuses of a commit, most recently updated first. */
  statusesOf(repository: string, sha: string): BitbucketStatus[] {
    return [...(this.statuses.get(`${repository}@${sha}`)?.values() ?? [])].toReversed();
  }

  /** `git log <revision> ^exclude`, newest first, in pages linked by `next`. */
  #commits(request: RecordedRequest, revision: string): ScriptedResponse {
    const all = this.graph.between(request.query.get('exclude') ?? '', revision);
    const pagelen = Math.min(Number(request.query.get('pagelen') ?? 10), 100);
    const page = Number(request.query.get('page') ?? 1);
    const values = all.slice((page - 1) * pagelen, page * pagelen).map((hash) => ({
      type: 'commit',
      hash,
      parents: this.graph.parentsOf(hash).map((parent) => ({ hash: parent })),
    }));
    const next = new URLSearchParams(request.query);
    next.set('page', String(page + 1));
    return {
      status: 200,
      body: {
        pagelen,
        page,
        values,
        ...(page * pagelen < all.length ? { next: `${this.url}${request.path}?${next}` } : {}),
      },
    };
  }

  protected handle(request: RecordedRequest): ScriptedResponse {
    const commits = COMMITS.exec(request.path);
    if (request.method === 'GET' && commits) return this.#commits(request, commits[3] as string);
    const builds = BUILDS.exec(request.path);
    if (builds === null)
      return { status: 404, body: { type: 'error', error: { message: 'Resource not found' } } };
    const commit = `${builds[1]}/${builds[2]}@${builds[3]}`;
    const byKey = this.statuses.get(commit) ?? new Map<string, BitbucketStatus>();
    this.statuses.set(commit, byKey);
    const key = builds[4] === undefined ? undefined : decodeURIComponent(builds[4]);
    if (request.method === 'GET' && key !== undefined) {
      const found = byKey.get(key);
      return found === undefined
        ? { status: 404, body: { type: 'error', error: { message: 'No such build status' } } }
        : { status: 200, body: found };
    }
    if (request.method === 'POST' && key === undefined) {
      const body = json(request);
      if (typeof body.key === 'string' && body.key.length > 40) {
        return {
          status: 400,
          body: {
            type: 'error',
            error: {
              message: `key: Ensure this value has at most 40 characters (it has ${body.key.length}).`,
            },
          },
        };
      }
      const now = new Date().toISOString();
      const status: BitbucketStatus = {
        type: 'build',
        key: body.key,
        state: body.state,
        name: body.name ?? '',
        url: body.url ?? '',
        description: body.description ?? '',
        created_on: byKey.get(body.key)?.created_on ?? now,
        updated_on: now,
      };
      byKey.delete(body.key);
      byKey.set(body.key, status);
      return { status: 201, body: status };
    }
    return { status: 405, body: { type: 'error', error: { message: 'Method not allowed' } } };
  }
}
