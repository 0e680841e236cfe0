import { type LookupAddress, type LookupOptions, lookup } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import { RouteMisconfiguredError } from '../../core/errors.js';

/**
 * Addresses that are not the public internet: this host, its network, the cloud's metadata service,
 * private and shared ranges, multicast, and IPv4 written as IPv6 (which would hide any of them).
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** True for an address on the public internet; a text that is no address is not. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function refusal(host: string, address: string): RouteMisconfiguredError {
  return new RouteMisconfiguredError(
    `the promotion webhook's host ${host} is at ${address}, which is not a public address`,
  );
}

/**
 * `dns.lookup` for the connection itself: every address the name resolves to must be public, so a
 * name that a DNS answer points at the metadata service or a private network is never connected
 * to, even when it resolved elsewhere a moment before (the check is the connection's own lookup).
 */
function publicLookup(
  hostname: string,
  options: LookupOptions,
  callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error !== null) return callback(error, []);
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused !== undefined) return callback(refusal(hostname, refused.address), []);
    if (options.all === true) return callback(null, addresses);
    const [first] = addresses;
    return callback(null, first?.address ?? '', first?.family);
  });
}

let agent: Dispatcher | undefined;

/**
 * The fetch a signal to an outside receiver goes through: https only, to public addresses only,
 * checked on the literal address and on every DNS answer at connection time. Redirects are the
 * caller's to refuse (`redirect: 'manual'`).
 */
export function createPublicHttpsFetch(): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = new URL(String(input));
    if (url.protocol !== 'https:') {
      throw new RouteMisconfiguredError(`the promotion webhook must use https, not ${url.protocol}`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !isPublicAddress(host)) throw refusal(host, host);
    // npm undici only for these rare signals: the runtime's fetch takes no lookup of its own.
    const undici = await import('undici');
    agent ??= new undici.Agent({ connect: { lookup: publicLookup } });
    return undici.fetch(url, { ...(init as Parameters<typeof undici.fetch>[1]), dispatcher: agent });
  }) as typeof fetch;
}
