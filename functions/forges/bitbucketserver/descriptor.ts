import { defineForge } from '../descriptor.js';
import type { RepositoryLocation } from '../forge.js';
import { AddressError, apiBaseOf, encodePath, splitGitAddress } from '../git-address.js';

export interface BitbucketServerLocation extends RepositoryLocation {
  projectKey: string;
  repoSlug: string;
}

const API_PATH = '/rest';

/**
 * Where the last `/scm/` is, as Flux splits the path: a context path may itself contain `scm`
 * (`/scm/ctx/scm/scm/<project>/<repo>.git` has the context `/scm/ctx/scm`). `/scm/` needs a segment
 * after it, so a repository named `scm` is not taken for the separator.
 */
function lastScm(segments: readonly string[]): number {
  for (let i = segments.length - 2; i >= 0; i--) if (segments[i] === 'scm') return i;
  return -1;
}

/**
 * The HTTP(S) clone URL, `https://host[:port][/context]/scm/<project>/<repo>.git`: what comes before
 * the last `/scm/` is the context path, under which the web pages and the REST API live. An ssh clone URL
 * names neither the web port nor the context path, so it is taken only with an `apiUrl`.
 */
export function parseBitbucketServerAddress(address: string, apiUrl?: string): BitbucketServerLocation {
  const { origin, segments, protocol } = splitGitAddress(address);
  const api = apiUrl === undefined ? undefined : apiBaseOf(apiUrl, API_PATH).apiUrl;
  let webRoot: string;
  let repository: string[];
  const scm = lastScm(segments);
  if (protocol === 'ssh') {
    if (api === undefined) {
      throw new AddressError(
        `"${address}" is an ssh address, which does not say where Bitbucket's REST API is; use the HTTP clone URL (https://host/scm/<project>/<repo>.git) or set apiUrl`,
      );
    }
    webRoot = api.slice(0, -API_PATH.length);
    repository = segments;
  } else if (scm >= 0) {
    webRoot = `${origin}${encodePath(segments.slice(0, scm))}`;
    repository = segments.slice(scm + 1);
  } else {
    throw new AddressError(
      `"${address}" must be the HTTP clone URL of a Bitbucket Server repository, https://host[/context]/scm/<project>/<repo>.git`,
    );
  }
  if (repository.length !== 2) {
    throw new AddressError(`"${address}" must end in /<project>/<repo>.git`);
  }
  const [projectKey, repoSlug] = repository as [string, string];
  return {
    apiUrl: api ?? `${webRoot}${API_PATH}`,
    webUrl: `${webRoot}${encodePath(['projects', projectKey, 'repos', repoSlug])}`,
    repository: `${projectKey}/${repoSlug}`,
    projectKey,
    repoSlug,
  };
}

/** Where the forge cuts a commit status's description. */
export const BITBUCKET_SERVER_TEXT_LIMIT = 255;

export const bitbucketServer = defineForge({
  label: 'Bitbucket Server',
  parseAddress: parseBitbucketServerAddress,
  commitPath: '/commits/',
  capabilities: {},
  descriptionLimit: BITBUCKET_SERVER_TEXT_LIMIT,
  options: {},
  loadClient: () => import('./client.js'),
});
