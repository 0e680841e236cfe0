import { fetch as undiciFetch } from 'undici';
import type { Route } from '../../functions/config/route-schema.js';
import { webhookKeyRefs } from '../../functions/config/webhook-secret.js';
import { RelayError } from '../../functions/core/errors.js';
import { createClient as azureDevOpsClient } from '../../functions/forges/azuredevops/client.js';
import { createClient as bitbucketClient } from '../../functions/forges/bitbucket/client.js';
import { createClient as bitbucketServerClient } from '../../functions/forges/bitbucketserver/client.js';
import { credentialsFromSecret } from '../../functions/forges/credentials.js';
import type { ForgeCredentials } from '../../functions/forges/forge.js';
import { createClient as giteaClient } from '../../functions/forges/gitea/client.js';
import type { GitHubLocation } from '../../functions/forges/github/address.js';
import { InstallationTokens } from '../../functions/forges/github/app-auth.js';
import type { GitLabLocation } from '../../functions/forges/gitlab/address.js';
import { dispatcherFor } from '../../functions/forges/http/dispatcher.js';
import type { ForgeAnswer } from '../../functions/forges/http/forge-http.js';
import { FORGES, type ForgeType, parseProviderAddress } from '../../functions/forges/registry.js';
import type { SecretSource } from '../../functions/secrets/secret-source.js';

export type Level = 'ok' | 'warn' | 'fail';

export interface Verdict {
  route: string;
  level: Level;
  detail: string;
}

/** A token that expires sooner than this gets a warning, so that it is replaced before it fails. */
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 86_400_000;
const TIMEOUT_MS = 10_000;

/** A finding that settles the route's verdict. */
class Finding extends Error {
  constructor(
    readonly level: Level,
    message: string,
  ) {
    super(message);
  }
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

type Fetch = typeof fetch;

function fetchWith(credentials: ForgeCredentials): Fetch {
  const dispatcher = dispatcherFor(credentials.caCert);
  return ((url: string, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher })) as unknown as Fetch;
}

async function get(createForgeFetch: Fetch, url: string, headers: Record<string, string>): Promise<Answer> {
  let response: Response;
  try {
    response = await createForgeFetch(url, {
      headers: { 'user-agent': 'flux-commit-status', ...headers },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    throw new Finding(
      'fail',
      `${new URL(url).origin} is unreachable (${String(cause ?? (error as Error).name)})`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body };
}

/** The expiry as a note, a warning within 14 days, or a failure once it has passed. */
function expiry(expiresAt: number | undefined, now: number): { note: string; level: Level } {
  if (expiresAt === undefined || Number.isNaN(expiresAt)) return { note: '', level: 'ok' };
  const date = new Date(expiresAt).toISOString().slice(0, 10);
  const days = Math.floor((expiresAt - now) / DAY_MS);
  if (expiresAt <= now) throw new Finding('fail', `the token expired on ${date}`);
  if (days < EXPIRY_WARNING_DAYS)
    return { note: `; the token expires on ${date}, in ${days} days`, level: 'warn' };
  return { note: `; the token expires on ${date}`, level: 'ok' };
}

async function checkGitHubToken(location: GitHubLocation, credentials: ForgeCredentials, now: number) {
  const answer = await get(
    fetchWith(credentials),
    `${location.apiUrl}/repos/${location.owner}/${location.repo}`,
    {
      authorization: `token ${credentials.token}`,
      accept: 'application/vnd.github+json',
    },
  );
  if (answer.status === 401) throw new Finding('fail', 'GitHub refuses the token (expired or revoked)');
  if (answer.status === 404) {
    throw new Finding('fail', `GitHub ${location.repository} is not found, or the token cannot see it`);
  }
  if (answer.status !== 200) throw new Finding('fail', `GitHub answered ${answer.status}`);
  const permissions = (answer.body as { permissions?: Record<string, boolean> }).permissions ?? {};
  if (!(permissions.push || permissions.maintain || permissions.admin)) {
    throw new Finding(
      'fail',
      `the token can only read ${location.repository}: commit statuses need write access`,
    );
  }
  // GitHub sends this for fine-grained and expiring classic tokens: "2026-12-10 00:00:00 UTC".
  const header = answer.headers.get('github-authentication-token-expiration');
  const { note, level } = expiry(
    header === null ? undefined : Date.parse(header.replace(' UTC', 'Z').replace(' ', 'T')),
    now,
  );
  return { level, detail: `the token may write commit statuses on GitHub ${location.repository}${note}` };
}

async function checkGitHubApp(location: GitHubLocation, credentials: ForgeCredentials) {
  const app = credentials.githubApp;
  if (app === undefined) throw new Finding('fail', 'the secret has no "token" nor GitHub App keys');
  const createForgeFetch = fetchWith(credentials);
  const tokens = new InstallationTokens(app, location, createForgeFetch);
  const token = await tokens.get();
  if (tokens.permissions()?.statuses !== 'write') {
    throw new Finding('fail', `GitHub App ${app.appId} lacks "Commit statuses: Read and write"`);
  }
  const answer = await get(createForgeFetch, `${location.apiUrl}/repos/${location.owner}/${location.repo}`, {
    authorization: `token ${token}`,
  });
  if (answer.status === 404) {
    throw new Finding(
      'fail',
      `GitHub App ${app.appId}'s installation does not include ${location.repository}`,
    );
  }
  if (answer.status !== 200) throw new Finding('fail', `GitHub answered ${answer.status}`);
  return {
    level: 'ok' as Level,
    detail: `GitHub App ${app.appId} may write commit statuses on ${location.repository}`,
  };
}

/** GitLab's Developer role, the least that may write a commit status. */
const DEVELOPER = 30;

async function checkGitLab(location: GitLabLocation, credentials: ForgeCredentials, now: number) {
  if (!credentials.token) throw new Finding('fail', 'the secret has no "token"');
  const createForgeFetch = fetchWith(credentials);
  const headers = { 'private-token': credentials.token };
  const project = await get(
    createForgeFetch,
    `${location.apiUrl}/projects/${encodeURIComponent(String(location.projectId))}`,
    headers,
  );
  if (project.status === 401) throw new Finding('fail', 'GitLab refuses the token (expired or revoked)');
  if (project.status === 404) {
    throw new Finding('fail', `GitLab ${location.repository} is not found, or the token cannot see it`);
  }
  if (project.status !== 200) throw new Finding('fail', `GitLab answered ${project.status}`);
  const access = (project.body as { permissions?: Record<string, { access_level?: number } | null> })
    .permissions;
  const level = Math.max(access?.project_access?.access_level ?? 0, access?.group_access?.access_level ?? 0);
  if (level < DEVELOPER) {
    throw new Finding(
      'fail',
      `the token can only read ${location.repository}: commit statuses need the Developer role`,
    );
  }
  // Personal, project and group access tokens all describe themselves here.
  const self = await get(createForgeFetch, `${location.apiUrl}/personal_access_tokens/self`, headers);
  const body = self.body as { expires_at?: string | null; scopes?: string[] } | undefined;
  if (self.status === 200 && body?.scopes !== undefined && !body.scopes.includes('api')) {
    throw new Finding('fail', `the token lacks the "api" scope (it has ${body.scopes.join(', ') || 'none'})`);
  }
  const expiresAt =
    self.status === 200 && body?.expires_at ? Date.parse(`${body.expires_at}T00:00:00Z`) : undefined;
  const { note, level: expiryLevel } = expiry(expiresAt, now);
  return {
    level: expiryLevel,
    detail: `the token may write commit statuses on GitLab ${location.repository}${note}`,
  };
}

/**
 * No commit is at hand before the first event: the read names one that is well formed. Gitea and
 * Azure DevOps list its statuses (none) when the repository is there, so they answer for the
 * repository and the token; the Bitbuckets read one status by key, and 404 says less.
 */
export const PROBE_SHA = '0000000000000000000000000000000000000000';
const PROBE_CONTEXT = 'flux-commit-status/selftest';

type ReadForge = Exclude<ForgeType, 'github' | 'gitlab'>;

/** The forge client's own first read of a commit's statuses: its URL, its auth header, its errors. */
function readStatuses(
  type: ReadForge,
  address: string,
  apiUrl: string | undefined,
  credentials: ForgeCredentials,
): Promise<ForgeAnswer> {
  const deadline = Date.now() + TIMEOUT_MS;
  switch (type) {
    case 'gitea':
      return giteaClient(parseProviderAddress(type, address, apiUrl), credentials).readStatuses(
        PROBE_SHA,
        deadline,
      );
    case 'azuredevops':
      return azureDevOpsClient(parseProviderAddress(type, address, apiUrl), credentials).readStatuses(
        PROBE_SHA,
        deadline,
      );
    case 'bitbucket':
      return bitbucketClient(parseProviderAddress(type, address, apiUrl), credentials).readStatus(
        PROBE_SHA,
        PROBE_CONTEXT,
        deadline,
      );
    case 'bitbucketserver':
      return bitbucketServerClient(parseProviderAddress(type, address, apiUrl), credentials).readStatus(
        PROBE_SHA,
        PROBE_CONTEXT,
        deadline,
      );
  }
}

/**
 * These forges say nothing of a token's write permission when it reads statuses, so a readable
 * endpoint is the most the self-test can prove without writing one; a refusal or no answer fails.
 */
async function checkStatusesRead(
  type: ReadForge,
  address: string,
  apiUrl: string | undefined,
  credentials: ForgeCredentials,
): Promise<{ level: Level; detail: string }> {
  const name = FORGES[type].label;
  const answer = await readStatuses(type, address, apiUrl, credentials);
  if (answer.status === 404) {
    return {
      level: 'warn',
      detail: `${name} answered 404 to a read of a status by key, as it does both for a commit without one and for a repository the token cannot see: neither the repository nor write permission could be proven`,
    };
  }
  return {
    level: 'warn',
    detail: `the token reads commit statuses on ${name}; write permission could not be proven (${name} does not tell)`,
  };
}

async function checkWebhookSecrets(route: Route, secrets: SecretSource): Promise<void> {
  for (const ref of webhookKeyRefs(route.auth.secret)) {
    const label = ref.key === 'token' ? `secret ${ref.secret}` : `key ${ref.key} of secret ${ref.secret}`;
    let token: unknown;
    try {
      token = ((await secrets.get(ref.secret)) as Record<string, unknown>)[ref.key];
    } catch (error) {
      throw new Finding('fail', `webhook ${label}: ${(error as Error).message}`);
    }
    if (typeof token !== 'string' || token === '') {
      throw new Finding('fail', `webhook ${label} has no "${ref.key}" string`);
    }
  }
}

/**
 * Reads a route's secrets as the function would and asks its forge, without writing anything,
 * whether the token may write commit statuses there.
 */
export async function checkRoute(route: Route, secrets: SecretSource, now = Date.now()): Promise<Verdict> {
  try {
    await checkWebhookSecrets(route, secrets);
    const { provider } = route;
    if (provider.secret === undefined) {
      return { route: route.id, level: 'ok', detail: 'webhook key present; dryRun, so no forge is asked' };
    }
    let credentials: ForgeCredentials;
    try {
      credentials = credentialsFromSecret(await secrets.get(provider.secret));
    } catch (error) {
      throw new Finding('fail', `forge secret ${provider.secret}: ${(error as Error).message}`);
    }
    let result: { level: Level; detail: string };
    if (provider.type === 'github') {
      const location = parseProviderAddress('github', provider.address, provider.apiUrl);
      result = credentials.token
        ? await checkGitHubToken(location, credentials, now)
        : await checkGitHubApp(location, credentials);
    } else if (provider.type === 'gitlab') {
      result = await checkGitLab(
        parseProviderAddress('gitlab', provider.address, provider.apiUrl),
        credentials,
        now,
      );
    } else {
      result = await checkStatusesRead(provider.type, provider.address, provider.apiUrl, credentials);
    }
    return { route: route.id, ...result };
  } catch (error) {
    if (error instanceof Finding || error instanceof RelayError) {
      return {
        route: route.id,
        level: error instanceof Finding ? error.level : 'fail',
        detail: error.message,
      };
    }
    throw error;
  }
}

export function formatVerdict(verdict: Verdict): string {
  const word = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' }[verdict.level];
  return `${word} ${verdict.route}: ${verdict.detail}`;
}
