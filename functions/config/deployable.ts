import { BlockList, isIP } from 'node:net';
import type { EnvironmentConfig } from './environment-config.js';
import type { ConfigIssue } from './fleet-environments.js';

/** The environment `npm start` serves: its forges and receivers may be on this machine. */
export const LOCAL_ENVIRONMENT = 'local';

/** Builds one block list of IPv4 and IPv6 networks. */
function blockListOf(networks: readonly (readonly [string, number, 'ipv4' | 'ipv6'])[]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of networks) list.addSubnet(network, prefix, family);
  return list;
}

// Node's BlockList matches IPv4 written as IPv6 (`::ffff:127.0.0.1`, `::ffff:7f00:1`) against the
// IPv4 rules, so a mapped address cannot hide loopback or link-local from these checks.
const LOOPBACK = blockListOf([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const LINK_LOCAL = blockListOf([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
const UNSPECIFIED = blockListOf([
  ['0.0.0.0', 32, 'ipv4'],
  ['::', 128, 'ipv6'],
]);

/** Why the function in AWS can never use this URL, or undefined when it can. */
function unreachable(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const family = isIP(host);
  const inList = (list: BlockList) => family !== 0 && list.check(host, family === 4 ? 'ipv4' : 'ipv6');
  if (host === 'localhost' || host.endsWith('.localhost') || inList(LOOPBACK)) {
    return 'is a loopback address, which the function in AWS can never reach';
  }
  if (inList(UNSPECIFIED)) return 'is the unspecified address, which names no host';
  if (inList(LINK_LOCAL)) return 'is a link-local address, which the function in AWS can never reach';
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
