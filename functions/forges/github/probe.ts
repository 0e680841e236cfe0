import type { ForgeCredentials } from '../forge.js';
import {
  type ProbeContext,
  ProbeFinding,
  type ProbeResult,
  probeFetch,
  probeGet,
  tokenExpiry,
} from '../probe.js';
import { InstallationTokens } from './app-auth.js';
import type { GitHubLocation } from './descriptor.js';

async function probeToken(location: GitHubLocation, credentials: ForgeCredentials, now: number) {
  const answer = await probeGet(
    probeFetch(credentials),
    `${location.apiUrl}/repos/${location.owner}/${location.repo}`,
    {
      authorization: `token ${credentials.token}`,
      accept: 'application/vnd.github+json',
    },
  );
  if (answer.status === 401) throw new ProbeFinding('fail', 'GitHub refuses the token (expired or revoked)');
  if (answer.status === 404) {
    throw new ProbeFinding('fail', `GitHub ${location.repository} is not found, or the token cannot see it`);
  }
  if (answer.status !== 200) throw new ProbeFinding('fail', `GitHub answered ${answer.status}`);
  const permissions = (answer.body as { permissions?: Record<string, boolean> }).permissions ?? {};
  if (!(permissions.push || permissions.maintain || permissions.admin)) {
    throw new ProbeFinding(
      'fail',
      `the token can only read ${location.repository}: commit statuses need write access`,
    );
  }
  // GitHub sends this for fine-grained and expiring classic tokens: "2026-12-10 00:00:00 UTC".
  const header = answer.headers.get('github-authentication-token-expiration');
  const { note, level } = tokenExpiry(
    header === null ? undefined : Date.parse(header.replace(' UTC', 'Z').replace(' ', 'T')),
    now,
  );
  return { level, detail: `the token may write commit statuses on GitHub ${location.repository}${note}` };
}

async function probeApp(location: GitHubLocation, credentials: ForgeCredentials): Promise<ProbeResult> {
  const app = credentials.githubApp;
  if (app === undefined) throw new ProbeFinding('fail', 'the secret has no "token" nor GitHub App keys');
  const forgeFetch = probeFetch(credentials);
  const tokens = new InstallationTokens(app, location, forgeFetch);
  const token = await tokens.get();
  if (tokens.permissions()?.statuses !== 'write') {
    throw new ProbeFinding('fail', `GitHub App ${app.appId} lacks "Commit statuses: Read and write"`);
  }
  const answer = await probeGet(forgeFetch, `${location.apiUrl}/repos/${location.owner}/${location.repo}`, {
    authorization: `token ${token}`,
  });
  if (answer.status === 404) {
    throw new ProbeFinding(
      'fail',
      `GitHub App ${app.appId}'s installation does not include ${location.repository}`,
    );
  }
  if (answer.status !== 200) throw new ProbeFinding('fail', `GitHub answered ${answer.status}`);
  return {
    level: 'ok',
    detail: `GitHub App ${app.appId} may write commit statuses on ${location.repository}`,
  };
}

/** GitHub tells a token's permissions on the repository and its expiry, and an App's grants. */
export function probe(
  location: GitHubLocation,
  credentials: ForgeCredentials,
  { now }: ProbeContext,
): Promise<ProbeResult> {
  return credentials.token ? probeToken(location, credentials, now) : probeApp(location, credentials);
}
