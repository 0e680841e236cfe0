import { defineForge } from '../descriptor.js';
import type { RepositoryLocation } from '../forge.js';
import { AddressError, encodePath, normaliseApiUrl, splitGitAddress } from '../git-address.js';
import { AZURE_DEVOPS_OPTIONS } from './options.js';

export interface AzureDevOpsLocation extends RepositoryLocation {
  /** `apiUrl` is the organisation or collection URL; the project and repository follow it in paths. */
  project: string;
  repo: string;
}

const SSH_HOSTS = new Set(['ssh.dev.azure.com', 'vs-ssh.visualstudio.com']);

function refuse(address: string): never {
  throw new AddressError(
    `"${address}" must name an Azure DevOps repository as https://dev.azure.com/<org>/<project>/_git/<repo>, https://<org>.visualstudio.com/<project>/_git/<repo> or https://host/tfs/<collection>/<project>/_git/<repo>`,
  );
}

/**
 * Splits an address into the collection URL (`https://dev.azure.com/<org>`,
 * `https://<org>.visualstudio.com`, `https://host/tfs/<collection>`), the project and the repository.
 * `…/<org>/_git/<repo>` is Azure's short form for a repository named like its project.
 */
function collectionOf(address: string): { collection: string; project: string; repo: string } {
  const { origin, host, segments } = splitGitAddress(address);
  if (SSH_HOSTS.has(host)) {
    // git@ssh.dev.azure.com:v3/<org>/<project>/<repo>
    if (segments.length !== 4 || segments[0] !== 'v3') refuse(address);
    const [, org, project, repo] = segments as [string, string, string, string];
    return { collection: `https://dev.azure.com${encodePath([org])}`, project, repo };
  }
  const git = segments.indexOf('_git');
  if (git < 0 || git !== segments.length - 2) refuse(address);
  const repo = segments[git + 1] as string;
  const before = segments.slice(0, git);
  const short = { collection: `${origin}${encodePath(before)}`, project: repo, repo };
  if (host === 'dev.azure.com') {
    if (before.length === 1) return short;
    if (before.length !== 2) refuse(address);
  } else if (host.endsWith('.visualstudio.com')) {
    if (before.length === 0) return short;
  } else if (before.length < 2) {
    // On premises, the collection cannot be told from the project without both.
    refuse(address);
  }
  return {
    collection: `${origin}${encodePath(before.slice(0, -1))}`,
    project: before.at(-1) as string,
    repo,
  };
}

/**
 * Azure DevOps Services (`dev.azure.com`, `<org>.visualstudio.com`, their ssh forms) and Azure DevOps
 * Server on premises (`https://host/tfs/<collection>/<project>/_git/<repo>`). `apiUrl`, when given,
 * replaces the organisation or collection URL.
 */
export function parseAzureDevOpsAddress(address: string, apiUrl?: string): AzureDevOpsLocation {
  const { collection, project, repo } = collectionOf(address);
  return {
    apiUrl: apiUrl === undefined ? collection : normaliseApiUrl(apiUrl),
    webUrl: `${collection}${encodePath([project, '_git', repo])}`,
    repository: `${project}/${repo}`,
    project,
    repo,
  };
}

export const azureDevOps = defineForge({
  label: 'Azure DevOps',
  parseAddress: parseAzureDevOpsAddress,
  commitPath: '/commit/',
  capabilities: {},
  options: AZURE_DEVOPS_OPTIONS,
  namesStatusBySummary: true,
  loadClient: () => import('./client.js'),
});
