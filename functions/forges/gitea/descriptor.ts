import { defineForge } from '../descriptor.js';
import type { RepositoryLocation } from '../forge.js';
import { AddressError, apiBaseOf, encodePath, splitGitAddress, withoutPrefix } from '../git-address.js';

export interface GiteaLocation extends RepositoryLocation {
  owner: string;
  repo: string;
}

const API_PATH = '/api/v1';

/**
 * `https://host/owner/repo[.git]` or `git@host:owner/repo.git` on Gitea or Forgejo, whose API is at
 * `/api/v1`. An instance under a sub-path is told by `apiUrl` (`https://host/gitea`, with or without
 * `/api/v1`), and the address is then read after that sub-path.
 */
export function parseGiteaAddress(address: string, apiUrl?: string): GiteaLocation {
  const { origin, host, segments } = splitGitAddress(address);
  const api =
    apiUrl === undefined ? { apiUrl: `${origin}${API_PATH}`, subPath: [] } : apiBaseOf(apiUrl, API_PATH);
  const path = withoutPrefix(segments, api.subPath);
  if (path.length !== 2) {
    throw new AddressError(`"${address}" must name a Gitea repository as https://${host}/<owner>/<repo>`);
  }
  const [owner, repo] = path as [string, string];
  return {
    apiUrl: api.apiUrl,
    webUrl: `${origin}${encodePath(segments)}`,
    repository: `${owner}/${repo}`,
    owner,
    repo,
  };
}

export const gitea = defineForge({
  label: 'Gitea',
  parseAddress: parseGiteaAddress,
  commitPath: '/commit/',
  capabilities: { changeRequestComments: true },
  options: {},
  loadClient: () => import('./client.js'),
});
