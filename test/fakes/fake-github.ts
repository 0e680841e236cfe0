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

/**
 * A stateful GitHub on 127.0.0.1 for what Prism cannot show: statuses persist, so duplicates, pages
 * and scripted faults behave as on github.com. With a spec check, every request is also judged by
 * GitHub's own description through Prism, and a violation is answered with a 422 and kept.
 */
export class FakeGitHub extends SpecCheckedFake {
  readonly statuses = new Map<string, GitHubStatus[]>();
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
    const list = LIST.exec(request.path);
    if (request.method === 'GET' && list) {
      const all = this.statuses.get(`${list[1]}/${list[2]}/${list[3]}`) ?? [];
      const perPage = Number(request.query.get('per_page') ?? 30);
      const page = Number(request.query.get('page') ?? 1);
      return { status: 200, body: all.slice((page - 1) * perPage, page * perPage) };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }
}
