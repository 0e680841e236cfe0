import { json, SpecCheckedFake } from './fake-forge.js';
import type { RecordedRequest, ScriptedResponse } from './loopback-server.js';

export interface AzureStatus {
  id: number;
  state: string;
  description: string;
  targetUrl?: string;
  context: { name: string; genre?: string };
  creationDate: string;
}

const STATUSES = /^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/commits\/([0-9a-f]{40})\/statuses$/;

const COMMITS_BATCH = /^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/commitsbatch$/;

/**
 * Azure DevOps commit statuses on 127.0.0.1: every POST appends (201); a GET answers
 * `{count, value}`, oldest first, paged with `top`/`skip`, and with `latestOnly` keeps the newest per
 * genre and name. A call without `api-version` is refused, as the service refuses it.
 */
export class FakeAzureDevOps extends SpecCheckedFake {
  readonly statuses = new Map<string, AzureStatus[]>();
  #nextId = 1;

  /** The statuses of a commit, newest first; `repository` is `<org>/<project>/<repo>`. */
  statusesOf(repository: string, sha: string): AzureStatus[] {
    return (this.statuses.get(`${repository}@${sha}`) ?? []).toReversed();
  }

  add(repository: string, sha: string, fields: Partial<AzureStatus>): void {
    const key = `${repository}@${sha}`;
    const list = this.statuses.get(key) ?? [];
    list.push({
      id: this.#nextId++,
      state: 'succeeded',
      description: '',
      context: { name: 'other', genre: 'ci' },
      creationDate: new Date().toISOString(),
      ...fields,
    });
    this.statuses.set(key, list);
  }

  /**
   * Which version `commitsbatch` walks history from. Its description leaves it open ("compareVersion:
   * start walking history starting at this commit"); the client must cope with either.
   */
  walksFrom: 'compareVersion' | 'itemVersion' = 'compareVersion';

  /** The commits one version reaches and the other does not, newest first, `$top`/`$skip` paged. */
  #commitsBatch(request: RecordedRequest): ScriptedResponse {
    const body = json(request);
    const other = this.walksFrom === 'compareVersion' ? 'itemVersion' : 'compareVersion';
    const all = this.graph.between(body[other]?.version ?? '', body[this.walksFrom]?.version ?? '');
    const skip = Number(request.query.get('$skip') ?? 0);
    const top = Number(request.query.get('$top') ?? 100);
    const value = all
      .slice(skip, skip + top)
      .map((commitId) => ({ commitId, parents: [...this.graph.parentsOf(commitId)] }));
    return { status: 200, body: { count: value.length, value } };
  }

  protected handle(request: RecordedRequest): ScriptedResponse {
    if (request.method === 'POST' && COMMITS_BATCH.test(request.path)) return this.#commitsBatch(request);
    const match = STATUSES.exec(request.path);
    if (match === null) return { status: 404, body: { message: 'The resource cannot be found.' } };
    if (request.query.get('api-version') === null) {
      return { status: 400, body: { message: 'No api-version was supplied for the request.' } };
    }
    const [, org, project, repo, sha] = match.map((part) => decodeURIComponent(part)) as string[];
    const repository = `${org}/${project}/${repo}`;
    if (request.method === 'POST') {
      const body = json(request);
      this.add(repository, sha as string, {
        state: body.state,
        description: body.description ?? '',
        context: body.context,
        ...(body.targetUrl === undefined ? {} : { targetUrl: body.targetUrl }),
      });
      return { status: 201, body: this.statusesOf(repository, sha as string)[0] };
    }
    let found = this.statuses.get(`${repository}@${sha}`) ?? [];
    if (request.query.get('latestOnly') === 'true') {
      const newest = new Map<string, AzureStatus>();
      for (const status of found)
        newest.set(`${status.context.genre ?? ''}\u0000${status.context.name}`, status);
      found = [...newest.values()].sort((a, b) => a.id - b.id);
    }
    const skip = Number(request.query.get('skip') ?? 0);
    const top = Number(request.query.get('top') ?? 1000);
    const value = found.slice(skip, skip + top);
    return { status: 200, body: { count: value.length, value } };
  }
}
