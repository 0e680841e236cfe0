import type { ExtraConstraint } from './forge-specs.js';
import type { RecordedRequest, ScriptedResponse } from './loopback-server.js';

export interface SpecCheckOptions {
  prismUrl: string;
  /** Limits the servers enforce that the description omits (`x-contract.extraConstraints`). */
  extraConstraints: readonly ExtraConstraint[];
  /** A path prefix the client sends but the description's paths lack (`/api/v1`, `/2.0`, `/rest`). */
  stripPrefix?: string;
}

const PRISM_ERROR = 'stoplight.io/prism/errors';

function fieldValue(body: unknown, field: string): unknown {
  let value: unknown = body;
  for (const part of field.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Prism closes idle keep-alive connections after 5 s; a request sent on one just as it closes fails
 * with ECONNRESET, which says nothing about the request. Such a failure is tried once more.
 */
/**
 * Prism, busy on a loaded 2-core runner, sometimes drops a kept-alive connection: a fresh connection
 * a moment later answers. Three tries, each on its own connection, bounded in time.
 */
async function askPrism(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, {
        ...init,
        keepalive: false,
        headers: { ...init.headers, connection: 'close' },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((done) => setTimeout(done, 100 * attempt));
    }
  }
}

/**
 * Judges a request by the forge's own description: Prism validates path, query, headers, security
 * and body, and the extra limits are checked here. Returns Prism's answer and every violation found.
 */
export async function checkAgainstSpec(
  options: SpecCheckOptions,
  request: RecordedRequest,
): Promise<{ response: ScriptedResponse; violations: string[] }> {
  const path =
    options.stripPrefix && request.path.startsWith(options.stripPrefix)
      ? request.path.slice(options.stripPrefix.length)
      : request.path;
  const query = request.query.toString();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!['host', 'content-length', 'connection', 'accept-encoding'].includes(name)) headers[name] = value;
  }
  // GitHub's vendor media type is not in its description; Prism would answer 406 to it.
  headers.accept = 'application/json';
  const answer = await askPrism(`${options.prismUrl}${path}${query === '' ? '' : `?${query}`}`, {
    method: request.method,
    headers,
    ...(request.body === '' ? {} : { body: request.body }),
  });
  const text = await answer.text();
  const body = text === '' ? undefined : JSON.parse(text);
  const violations: string[] = [];
  if (typeof body?.type === 'string' && body.type.includes(PRISM_ERROR)) {
    const details: Array<{ message: string; location?: string[] }> = body.validation ?? [];
    if (details.length === 0) violations.push(`${answer.status} ${body.title}: ${body.detail ?? ''}`);
    for (const detail of details) violations.push(`${detail.location?.join('.') ?? ''}: ${detail.message}`);
  } else {
    // Where the description declares an error answer of its own (GitLab, Gitea and Bitbucket Server
    // declare 400), Prism gives that answer with an empty body and lists the violations in a header.
    const listed: Array<{ message: string; severity?: string; location?: string[] }> = JSON.parse(
      answer.headers.get('sl-violations') ?? '[]',
    );
    for (const detail of listed) {
      // Prism also judges its own example answer; GitLab's examples break GitLab's schemas (a string
      // for `parent_ids`), which says nothing about the request (README of the specs: "Do not validate
      // responses strictly").
      if (detail.severity === 'Error' && detail.location?.[0] !== 'response')
        violations.push(`${detail.location?.join('.') ?? ''}: ${detail.message}`);
    }
  }
  if (request.body !== '' && (request.headers['content-type'] ?? '').includes('json')) {
    const sent = JSON.parse(request.body);
    for (const constraint of options.extraConstraints) {
      if (constraint.field === undefined || constraint.maxLength === undefined) continue;
      for (const field of constraint.field.split('|')) {
        const value = fieldValue(sent, field);
        if (typeof value === 'string' && value.length > constraint.maxLength) {
          violations.push(
            `body.${field}: ${value.length} characters, the forge allows ${constraint.maxLength}`,
          );
        }
      }
    }
  }
  const responseHeaders: Record<string, string> = {};
  const type = answer.headers.get('content-type');
  if (type !== null) responseHeaders['content-type'] = type;
  return { response: { status: answer.status, headers: responseHeaders, body }, violations };
}
