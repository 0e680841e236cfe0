import type { EnvironmentConfig } from './environment-config.js';
import type { ConfigIssue } from './fleet-environments.js';

/** The environment `npm start` serves: its forges and receivers may be on this machine. */
export const LOCAL_ENVIRONMENT = 'local';

/** Why the function in AWS can never use this URL, or undefined when it can. */
function unreachable(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1') {
    return 'is a loopback address, which the function in AWS can never reach';
  }
  if (host === '0.0.0.0' || host === '::') return 'is the unspecified address, which names no host';
  if (/^169\.254\./.test(host) || /^fe[89ab][0-9a-f]:/.test(host)) {
    return 'is a link-local address, which the function in AWS can never reach';
  }
  if (url.protocol === 'http:') {
    return 'is plain http: tokens and statuses would cross the network unencrypted; use https://';
  }
  return undefined;
}

/**
 * The URLs a deployed function would call, each refused when it can never work there: loopback,
 * link-local and plain http. Only the local config (`npm start`) may keep them, for its fakes and
 * tunnels.
 */
export function deployableIssues(config: EnvironmentConfig): ConfigIssue[] {
  const urls: { path: (string | number)[]; url: string }[] = [];
  config.routes.forEach((route, index) => {
    // A forge address may also be an ssh URL or scp-like (git@host:…); only http(s) ones are called.
    if (/^https?:/i.test(route.provider.address)) {
      urls.push({ path: ['routes', index, 'provider', 'address'], url: route.provider.address });
    }
    if (route.provider.apiUrl !== undefined) {
      urls.push({ path: ['routes', index, 'provider', 'apiUrl'], url: route.provider.apiUrl });
    }
  });
  for (const [name, environment] of Object.entries(config.environments)) {
    if (environment.promotion?.type === 'webhook') {
      urls.push({ path: ['environments', name, 'promotion', 'url'], url: environment.promotion.url });
    }
  }
  if (config.detailsPage?.baseUrl !== undefined) {
    urls.push({ path: ['detailsPage', 'baseUrl'], url: config.detailsPage.baseUrl });
  }
  return urls.flatMap(({ path, url }) => {
    const problem = unreachable(url);
    return problem === undefined ? [] : [{ path, message: `"${url}" ${problem}` }];
  });
}
