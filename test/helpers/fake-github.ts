import { LoopbackServer, type RecordedRequest, type ScriptedResponse } from './loopback-server.js';
import { checkAgainstSpec, type SpecCheckOptions } from './spec-check.js';

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
 * and scripted faults behave as on github.com. With `spec`, every request is also judged by GitHub's
 * own description through Prism, and a violation is answered with a 422 and kept in `violations`.
 */
export class FakeGitHub {
  readonly statuses = new Map<string, GitHubStatus[]>();
  readonly violations: string[] = [];
  /** Answers for the next requests, in order, before the fake's own logic runs. */
  readonly script: ScriptedResponse[] = [];
  readonly server: LoopbackServer;
  #nextId = 1;

  constructor(private readonly spec?: SpecCheckOptions) {
    this.server = new LoopbackServer((request) => this.#answer(request));
  }

  get url(): string {
    return this.server.url;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  get writes(): RecordedRequest[] {
    return this.requests.filter((request) => request.method === 'POST');
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** The statuses of a commit, newest first, as GitHub lists them. */
  statusesOf(repository: string, sha: string): GitHubStatus[] {
    return this.statuses.get(`${repository}/${sha}`) ?? [];
  }

  async #answer(request: RecordedRequest): Promise<ScriptedResponse> {
    if (this.spec !== undefined) {
      const { violations } = await checkAgainstSpec(this.spec, request);
      if (violations.length > 0) {
        this.violations.push(
          ...violations.map((violation) => `${request.method} ${request.path}: ${violation}`),
        );
        return { status: 422, body: { message: 'Validation Failed', errors: violations } };
      }
    }
    const scripted = this.script.shift();
    if (scripted !== undefined) return scripted;

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
