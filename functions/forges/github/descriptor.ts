import { defineForge } from '../descriptor.js';
import type { RepositoryLocation } from '../forge.js';
import { AddressError, normaliseApiUrl, splitGitAddress } from '../git-address.js';

export interface GitHubLocation extends RepositoryLocation {
  owner: string;
  repo: string;
}

/**
 * `https://github.com/owner/repo[.git]`, `git@github.com:owner/repo` or a GitHub Enterprise host,
 * whose API is at `https://host/api/v3` unless `apiUrl` says otherwise.
 */
export function parseGitHubAddress(address: string, apiUrl?: string): GitHubLocation {
  const { origin, host, segments } = splitGitAddress(address);
  if (segments.length !== 2) {
    throw new AddressError(`"${address}" must name a GitHub repository as https://${host}/<owner>/<repo>`);
  }
  const [owner, repo] = segments as [string, string];
  const defaultApi = host === 'github.com' ? 'https://api.github.com' : `${origin}/api/v3`;
  return {
    apiUrl: apiUrl === undefined ? defaultApi : normaliseApiUrl(apiUrl),
    webUrl: `${origin}/${owner}/${repo}`,
    repository: `${owner}/${repo}`,
    owner,
    repo,
  };
}

/** Where the forge cuts a commit status's description. */
export const GITHUB_DESCRIPTION_LIMIT = 140;

export const github = defineForge({
  label: 'GitHub',
  parseAddress: parseGitHubAddress,
  commitPath: '/commit/',
  capabilities: { deployments: true, repositoryDispatch: true, changeRequestComments: true },
  descriptionLimit: GITHUB_DESCRIPTION_LIMIT,
  options: {},
  loadClient: () => import('./client.js'),
});
