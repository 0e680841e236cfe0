const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;

/** A secret's `ca.crt`, or a proxy in the environment, needs npm undici's dispatcher. */
function needsDispatcher(caCert: string | undefined): boolean {
  return caCert !== undefined || PROXY_VARIABLES.some((name) => (process.env[name] ?? '') !== '');
}

/**
 * The fetch a forge client sends with. The runtime's own fetch unless the route needs a custom CA or
 * the environment names a proxy: only then is npm undici loaded, with the shared pool of
 * `dispatcherFor`. Loading it costs a cold start more than the rest of the GitHub client (npm run
 * bench), and the runtime's fetch is undici too, so most routes would pay for two copies. Decided per
 * request, since the environment is read where the pool is chosen.
 */
export function createForgeFetch(caCert?: string): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    if (!needsDispatcher(caCert)) return fetch(input, init);
    const [{ fetch: undiciFetch }, { dispatcherFor }] = await Promise.all([
      import('undici'),
      import('./dispatcher.js'),
    ]);
    return undiciFetch(input as string, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: dispatcherFor(caCert),
    });
  }) as typeof fetch;
}
