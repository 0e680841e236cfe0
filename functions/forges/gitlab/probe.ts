import type { ForgeCredentials } from '../forge.js';
import {
  type ProbeContext,
  ProbeFinding,
  type ProbeResult,
  probeFetch,
  probeGet,
  tokenExpiry,
} from '../probe.js';
import type { GitLabLocation } from './descriptor.js';

/** GitLab's Developer role, the least that may write a commit status. */
const DEVELOPER = 30;

/** GitLab tells the token's role on the project, and the token its own scopes and expiry. */
export async function probe(
  location: GitLabLocation,
  credentials: ForgeCredentials,
  { now }: ProbeContext,
): Promise<ProbeResult> {
  if (!credentials.token) throw new ProbeFinding('fail', 'the secret has no "token"');
  const forgeFetch = probeFetch(credentials);
  const headers = { 'private-token': credentials.token };
  const project = await probeGet(
    forgeFetch,
    `${location.apiUrl}/projects/${encodeURIComponent(String(location.projectId))}`,
    headers,
  );
  if (project.status === 401) throw new ProbeFinding('fail', 'GitLab refuses the token (expired or revoked)');
  if (project.status === 404) {
    throw new ProbeFinding('fail', `GitLab ${location.repository} is not found, or the token cannot see it`);
  }
  if (project.status !== 200) throw new ProbeFinding('fail', `GitLab answered ${project.status}`);
  const access = (project.body as { permissions?: Record<string, { access_level?: number } | null> })
    .permissions;
  const level = Math.max(access?.project_access?.access_level ?? 0, access?.group_access?.access_level ?? 0);
  if (level < DEVELOPER) {
    throw new ProbeFinding(
      'fail',
      `the token can only read ${location.repository}: commit statuses need the Developer role`,
    );
  }
  // Personal, project and group access tokens all describe themselves here.
  const self = await probeGet(forgeFetch, `${location.apiUrl}/personal_access_tokens/self`, headers);
  const body = self.body as { expires_at?: string | null; scopes?: string[] } | undefined;
  if (self.status === 200 && body?.scopes !== undefined && !body.scopes.includes('api')) {
    throw new ProbeFinding(
      'fail',
      `the token lacks the "api" scope (it has ${body.scopes.join(', ') || 'none'})`,
    );
  }
  const expiresAt =
    self.status === 200 && body?.expires_at ? Date.parse(`${body.expires_at}T00:00:00Z`) : undefined;
  const { note, level: expiryLevel } = tokenExpiry(expiresAt, now);
  return {
    level: expiryLevel,
    detail: `the token may write commit statuses on GitLab ${location.repository}${note}`,
  };
}
