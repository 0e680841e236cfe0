import type { Commits } from '@gitbeaker/rest';
import type { ForgeHttp, ForgeRequest, QueryValue } from '../http/forge-http.js';

type RequesterFn = NonNullable<ConstructorParameters<typeof Commits>[0]['requesterFn']>;
type Requester = ReturnType<RequesterFn>;
type RequestOptions = NonNullable<Parameters<Requester['get']>[1]>;
type Method = ForgeRequest['method'];

/** gitbeaker's option names are camelCase; GitLab's parameters are snake_case. */
function snakeCased(values: Record<string, unknown> | undefined): Record<string, QueryValue> | undefined {
  if (values === undefined) return undefined;
  const result: Record<string, QueryValue> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      result[name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)] = value;
    }
  }
  return result;
}

/**
 * A gitbeaker requester (its documented `requesterFn` option) for the calls of one write. gitbeaker's
 * own retries 429 and 502 ten times within about a quarter of a second, ignores Retry-After and has
 * no deadline; this one sends its calls through ForgeHttp, so GitLab gets the same proxy, `ca.crt`,
 * retry and deadline rules as every other forge. `expect` lists answers to hand back, not throw.
 */
export function createGitLabRequester(
  http: ForgeHttp,
  deadline: number,
  expect: Partial<Record<Method, readonly number[]>> = {},
): RequesterFn {
  return (resource) => {
    const call =
      (method: Method) =>
      async (endpoint: string, options: RequestOptions = {}) => {
        const headers: Record<string, string> = { ...resource.headers };
        for (const [name, value] of Object.entries(resource.authHeaders)) headers[name] = await value();
        const query = snakeCased(options.searchParams);
        // The status calls send JSON objects, never forms.
        const body = snakeCased(options.body as Record<string, unknown> | undefined);
        const answer = await http.request({
          method,
          path: `/${endpoint}`,
          headers,
          deadline,
          ...(query === undefined ? {} : { query }),
          ...(body === undefined ? {} : { body }),
          ...(expect[method] === undefined ? {} : { expect: expect[method] }),
        });
        return { status: answer.status, headers: Object.fromEntries(answer.headers), body: answer.body };
      };
    return {
      get: call('GET'),
      post: call('POST'),
      put: call('PUT'),
      patch: call('PATCH'),
      delete: call('DELETE'),
    } as Requester;
  };
}
