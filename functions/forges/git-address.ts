/** A repository address split the way Flux reads a Provider's `spec.address`. */
export interface GitAddress {
  /** `https://host[:port]`, the web origin of the forge. */
  origin: string;
  host: string;
  /** The path segments, URL-decoded, with a trailing `.git` removed from the last one. */
  segments: string[];
  /** An ssh address says nothing of the port or path where the forge's web and API live. */
  protocol: 'https' | 'http' | 'ssh';
}

export class AddressError extends Error {
  override name = 'AddressError';
}

const SCP_LIKE = /^(?:[A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.+)$/;

/**
 * Accepts `https://host/a/b`, `http://…`, `ssh://git@host/a/b` and scp-like `git@host:a/b`, with an
 * optional `.git`. Web origins are always https except when the address itself says http.
 */
export function splitGitAddress(address: string): GitAddress {
  const trimmed = address.trim();
  let url: URL;
  const scp = SCP_LIKE.exec(trimmed);
  try {
    url = scp && !/^[a-z+]+:\/\//i.test(trimmed) ? new URL(`ssh://${scp[1]}/${scp[2]}`) : new URL(trimmed);
  } catch {
    throw new AddressError(`"${address}" is not a repository URL`);
  }
  if (!['https:', 'http:', 'ssh:'].includes(url.protocol)) {
    throw new AddressError(`"${address}" uses ${url.protocol.replace(':', '')}; use an https or ssh address`);
  }
  if (url.username !== '' || url.password !== '') {
    if (url.protocol !== 'ssh:') throw new AddressError(`"${address}" must not carry credentials`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new AddressError(`"${address}" must not have a query or a fragment`);
  }
  const segments = url.pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment));
  const last = segments.length - 1;
  if (last >= 0) segments[last] = (segments[last] as string).replace(/\.git$/, '');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new AddressError(`"${address}" has an empty, "." or ".." path segment`);
  }
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.protocol === 'ssh:' || url.port === '' ? '' : `:${url.port}`;
  const protocol = url.protocol === 'ssh:' ? 'ssh' : scheme;
  return { origin: `${scheme}://${url.hostname}${port}`, host: url.hostname, segments, protocol };
}

/** Checks an `apiUrl` override and returns it without a trailing slash. */
export function normaliseApiUrl(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new AddressError(`apiUrl "${apiUrl}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AddressError(`apiUrl "${apiUrl}" must be http(s)`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new AddressError(`apiUrl "${apiUrl}" must not carry credentials, a query or a fragment`);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * An `apiUrl` for a forge whose API sits at a fixed path under its web root (`/api/v4`, `/api/v1`,
 * `/rest`), given with or without that path. Returns it with the path, and the web root's own
 * sub-path (`gitlab` in `https://host/gitlab/api/v4`), which the repository addresses then carry too.
 */
export function apiBaseOf(apiUrl: string, apiPath: string): { apiUrl: string; subPath: string[] } {
  const normalised = normaliseApiUrl(apiUrl);
  const base = normalised.endsWith(apiPath) ? normalised : `${normalised}${apiPath}`;
  const pathname = new URL(base).pathname;
  const subPath = pathname
    .slice(0, pathname.length - apiPath.length)
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment));
  return { apiUrl: base, subPath };
}

/** `segments` without a leading `prefix`, when they start with it. */
export function withoutPrefix(segments: readonly string[], prefix: readonly string[]): string[] {
  const starts = prefix.length <= segments.length && prefix.every((segment, i) => segments[i] === segment);
  return segments.slice(starts ? prefix.length : 0);
}

/** Path segments joined for a URL, each encoded. */
export function encodePath(segments: readonly string[]): string {
  return segments.map((segment) => `/${encodeURIComponent(segment)}`).join('');
}
