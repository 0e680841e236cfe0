import { json, SpecCheckedFake } from './fake-forge.js';
import type { RecordedRequest, ScriptedResponse } from './loopback-server.js';

export interface BuildStatus {
  key: string;
  state: string;
  url: string;
  name: string;
  description: string;
  dateAdded: number;
}

/**
 * Bitbucket Server's repository build statuses on 127.0.0.1 under `<context>/rest`: a POST upserts by
 * `key` and answers 204 without a body; a GET with `?key=` answers the one status or 404.
 */
export class FakeBitbucketServer extends SpecCheckedFake {
  readonly statuses = new Map<string, Map<string, BuildStatus>>();
  readonly #builds: RegExp;
  readonly #commits: RegExp;

  constructor(spec?: ConstructorParameters<typeof SpecCheckedFake>[0], context = '') {
    super(spec);
    this.#commits = new RegExp(`^${context}/rest/api/latest/projects/([^/]+)/repos/([^/]+)/commits$`);
    this.#builds = new RegExp(
      `^${context}/rest/api/latest/projects/([^/]+)/repos/([^/]+)/commits/([0-9a-f]{40})/builds$`,
    );
  }

  /** The statuses of a commit, most recently set first. */
  statusesOf(repository: string, sha: string): BuildStatus[] {
    return [...(this.statuses.get(`${repository}@${sha}`)?.values() ?? [])].toReversed();
  }

  protected handle(request: RecordedRequest): ScriptedResponse {
    if (request.method === 'GET' && this.#commits.test(request.path)) {
      // `since` and `until` as Bitbucket Server takes them: commits until reaches and since does not.
      const all = this.graph.between(request.query.get('since') ?? '', request.query.get('until') ?? '');
      const limit = Number(request.query.get('limit') ?? 25);
      const start = Number(request.query.get('start') ?? 0);
      const values = all.slice(start, start + limit).map((id) => ({
        id,
        displayId: id.slice(0, 11),
        parents: this.graph.parentsOf(id).map((parent) => ({ id: parent })),
      }));
      const isLastPage = start + limit >= all.length;
      return {
        status: 200,
        body: {
          size: values.length,
          limit,
          start,
          isLastPage,
          values,
          ...(isLastPage ? {} : { nextPageStart: start + limit }),
        },
      };
    }
    const builds = this.#builds.exec(request.path);
    if (builds === null) return { status: 404, body: { errors: [{ message: 'Not found' }] } };
    const commit = `${decodeURIComponent(builds[1] as string)}/${decodeURIComponent(builds[2] as string)}@${builds[3]}`;
    const byKey = this.statuses.get(commit) ?? new Map<string, BuildStatus>();
    this.statuses.set(commit, byKey);
    if (request.method === 'GET') {
      const found = byKey.get(request.query.get('key') ?? '');
      return found === undefined
        ? { status: 404, body: { errors: [{ message: 'No build status with this key' }] } }
        : { status: 200, body: found };
    }
    if (request.method === 'POST') {
      const body = json(request);
      byKey.delete(body.key);
      byKey.set(body.key, {
        key: body.key,
        state: body.state,
        url: body.url,
        name: body.name ?? '',
        description: body.description ?? '',
        dateAdded: Date.now(),
      });
      return { status: 204 };
    }
    return { status: 405, body: { errors: [{ message: 'Method not allowed' }] } };
  }
}
