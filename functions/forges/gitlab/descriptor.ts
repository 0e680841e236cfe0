import { defineForge } from '../descriptor.js';
import type { RepositoryLocation } from '../forge.js';
import { AddressError, apiBaseOf, encodePath, splitGitAddress, withoutPrefix } from '../git-address.js';

export interface GitLabLocation extends RepositoryLocation {
  /** What GitLab's API takes as `:id`: the numeric project id or the full path `group/sub/project`. */
  projectId: number | string;
}

const API_PATH = '/api/v4';

/**
 * `https://gitlab.com/group/sub/project[.git]` (nested groups), `git@host:group/project.git`, a
 * numeric project id (`https://gitlab.com/1234`) or a self-hosted instance. An instance under a
 * sub-path (`https://host/gitlab/group/project`) is told by `apiUrl` (`https://host/gitlab`, with or
 * without `/api/v4`): the address is read after that sub-path, which a path alone cannot tell from a group.
 */
export function parseGitLabAddress(address: string, apiUrl?: string): GitLabLocation {
  const { origin, host, segments } = splitGitAddress(address);
  const api =
    apiUrl === undefined ? { apiUrl: `${origin}${API_PATH}`, subPath: [] } : apiBaseOf(apiUrl, API_PATH);
  const path = withoutPrefix(segments, api.subPath);
  if (path.length === 1 && /^[1-9]\d*$/.test(path[0] as string)) {
    const projectId = Number(path[0]);
    // GitLab redirects /projects/<id> to the project's page.
    const webUrl = `${origin}${encodePath([...api.subPath, 'projects', String(projectId)])}`;
    return { apiUrl: api.apiUrl, webUrl, repository: `project ${projectId}`, projectId };
  }
  if (path.includes('-')) {
    throw new AddressError(
      `"${address}" is a page of a GitLab project (it has "/-/"); use the project's address`,
    );
  }
  if (path.length < 2) {
    throw new AddressError(
      `"${address}" must name a GitLab project as https://${host}/<group>[/<subgroup>…]/<project> or by its numeric id`,
    );
  }
  const projectPath = path.join('/');
  const webUrl = `${origin}${encodePath(segments)}`;
  return { apiUrl: api.apiUrl, webUrl, repository: projectPath, projectId: projectPath };
}

/** Where the forge cuts a commit status's description. */
export const GITLAB_DESCRIPTION_LIMIT = 255;

export const gitlab = defineForge({
  label: 'GitLab',
  parseAddress: parseGitLabAddress,
  commitPath: '/-/commit/',
  capabilities: { changeRequestComments: true },
  descriptionLimit: GITLAB_DESCRIPTION_LIMIT,
  options: {},
  loadClient: () => import('./client.js'),
});
