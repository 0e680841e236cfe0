import { defineForge } from '../descriptor.js';
import type { RepositoryLocation } from '../forge.js';
import { AddressError, encodePath, normaliseApiUrl, splitGitAddress } from '../git-address.js';

export interface BitbucketLocation extends RepositoryLocation {
  workspace: string;
  repoSlug: string;
}

const CLOUD_HOSTS = new Set(['bitbucket.org', 'www.bitbucket.org']);

/**
 * `https://bitbucket.org/<workspace>/<repo>[.git]` or `git@bitbucket.org:<workspace>/<repo>.git`.
 * Bitbucket Cloud has one host, so another host is a Bitbucket Server address given the wrong type.
 */
export function parseBitbucketAddress(address: string, apiUrl?: string): BitbucketLocation {
  const { host, segments } = splitGitAddress(address);
  if (!CLOUD_HOSTS.has(host)) {
    throw new AddressError(
      `"${address}" is not on bitbucket.org; for Bitbucket Server or Data Center use type "bitbucketserver"`,
    );
  }
  if (segments.length !== 2) {
    throw new AddressError(`"${address}" must name a repository as https://bitbucket.org/<workspace>/<repo>`);
  }
  const [workspace, repoSlug] = segments as [string, string];
  return {
    apiUrl: apiUrl === undefined ? 'https://api.bitbucket.org/2.0' : normaliseApiUrl(apiUrl),
    webUrl: `https://bitbucket.org${encodePath(segments)}`,
    repository: `${workspace}/${repoSlug}`,
    workspace,
    repoSlug,
  };
}

export const bitbucket = defineForge({
  label: 'Bitbucket',
  parseAddress: parseBitbucketAddress,
  commitPath: '/commits/',
  capabilities: {},
  options: {},
  loadClient: () => import('./client.js'),
});
