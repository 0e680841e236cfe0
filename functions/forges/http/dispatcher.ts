import { type Dispatcher, EnvHttpProxyAgent } from 'undici';

const pools = new Map<string, Dispatcher>();

/**
 * The connection pool for a forge, as Flux's own clients connect: through HTTPS_PROXY or HTTP_PROXY
 * unless NO_PROXY names the host, and, when the secret has `ca.crt`, trusting that bundle instead of
 * the public roots, on a direct connection and through a proxy's tunnel alike. Pools are shared per
 * bundle and proxy setting, so a rotated token reuses its connections rather than leaking a pool.
 */
export function dispatcherFor(caCert?: string): Dispatcher {
  const { HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy, NO_PROXY, no_proxy } = process.env;
  const key = JSON.stringify([caCert, HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy, NO_PROXY, no_proxy]);
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = new EnvHttpProxyAgent(
      caCert === undefined ? {} : { connect: { ca: caCert }, requestTls: { ca: caCert } },
    );
    pools.set(key, pool);
  }
  return pool;
}
