import { inject } from 'vitest';
import { readSpec, type SpecName } from './forge-specs.js';
import { LoopbackServer, type RecordedRequest, type ScriptedResponse } from './loopback-server.js';
import { checkAgainstSpec, type SpecCheckOptions } from './spec-check.js';

/**
 * The spec check for a fake of `name`, when Prism serves its description in this run. `stripPrefix` is
 * the path the client sends before the description's paths begin (`/api/v1`, `/2.0`, `/rest`).
 */
export function specCheckFor(name: SpecName, stripPrefix?: string): SpecCheckOptions | undefined {
  const prismUrl = inject('prism')[name];
  if (prismUrl === undefined) return undefined;
  return {
    prismUrl,
    extraConstraints: readSpec(name)['x-contract'].extraConstraints,
    ...(stripPrefix === undefined ? {} : { stripPrefix }),
  };
}

/**
 * A stateful forge on 127.0.0.1, built like FakeGitHub: statuses persist, so duplicates, pages and
 * scripted faults behave as on the real service. With a spec check, every request is also judged by
 * the forge's own description through Prism; a violation is answered with a 422 and kept.
 */
export abstract class SpecCheckedFake {
  readonly violations: string[] = [];
  /** Answers for the next requests, in order, before the fake's own logic runs. */
  readonly script: ScriptedResponse[] = [];
  readonly server: LoopbackServer;

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
    return this.requests.filter((request) => request.method === 'POST' || request.method === 'PUT');
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  protected abstract handle(request: RecordedRequest): ScriptedResponse;

  /**
   * The violations of a request to an operation the forge's description lacks, judged by what the
   * forge's documentation records instead (`x-contract.missingFromSpec`); undefined for the others.
   */
  protected documentedCheck(_request: RecordedRequest): string[] | undefined {
    return undefined;
  }

  async #answer(request: RecordedRequest): Promise<ScriptedResponse> {
    const documented = this.documentedCheck(request);
    if (documented !== undefined || this.spec !== undefined) {
      const { violations } =
        documented === undefined
          ? await checkAgainstSpec(this.spec as SpecCheckOptions, request)
          : { violations: documented };
      if (violations.length > 0) {
        this.violations.push(
          ...violations.map((violation) => `${request.method} ${request.path}: ${violation}`),
        );
        return { status: 422, body: { message: 'Validation Failed', errors: violations } };
      }
    }
    return this.script.shift() ?? this.handle(request);
  }
}

export function json(request: RecordedRequest): Record<string, any> {
  return request.body === '' ? {} : JSON.parse(request.body);
}
