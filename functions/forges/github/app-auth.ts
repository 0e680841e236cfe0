import { createHash, createPrivateKey } from 'node:crypto';
import { request as octokitRequest } from '@octokit/request';
import { ForgeUnavailableError, RelayError, RouteMisconfiguredError } from '../../core/errors.js';
import type { GitHubAppCredentials } from '../forge.js';
import { finalRejection, forgeMessage } from '../forge-errors.js';
import type { GitHubLocation } from './descriptor.js';
import { answerBody, errorStatus } from './octokit-errors.js';

/**
 * An installation token lasts an hour; one is replaced this long before it expires, so that a
 * request started with it cannot meet its expiry half-way through retries.
 */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** The token request shares nobody's deadline (it is single-flight), so it has its own bound. */
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

interface CachedToken {
  token?: string;
  expiresAt: number;
  installationId?: number;
  /** What the installation grants, as GitHub said with the token (`{ statuses: 'write' }`). */
  permissions?: Record<string, string>;
  pending?: Promise<string>;
}

/**
 * One entry per App key and installation, for the life of the warm container: every route and every
 * client built for a rotated secret reuse it, so many events cost one token request an hour.
 */
const tokens = new Map<string, CachedToken>();

type RequestInterface = typeof octokitRequest;
type AppAuth = ReturnType<typeof import('@octokit/auth-app').createAppAuth>;
type Fetch = typeof fetch;

function keyPem(credentials: GitHubAppCredentials): string {
  // Kubernetes secrets copied through env files often carry the PEM's line breaks escaped.
  const text = credentials.privateKey.replace(/\\n/g, '\n');
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(text);
  } catch {
    // Node's message could quote the key; say only what is wrong.
    throw new RouteMisconfiguredError('githubAppPrivateKey is not a PEM private key (PKCS#1 or PKCS#8)');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new RouteMisconfiguredError('githubAppPrivateKey must be an RSA key, as GitHub issues them');
  }
  // The JWT signer takes PKCS#8 only.
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** GitHub's answers keep their meaning; nothing of the request (the JWT) reaches the message. */
function translate(error: unknown, where: string): Error {
  if (error instanceof RelayError) return error;
  const status = errorStatus(error);
  if (status === 404) {
    return finalRejection(
      where,
      404,
      `the GitHub App is not installed there (${forgeMessage(answerBody(error))})`,
    );
  }
  if (status !== undefined && status !== 429 && status < 500) {
    return finalRejection(where, status, forgeMessage(answerBody(error)));
  }
  const cause = status === undefined ? 'no answer' : `${status}: ${forgeMessage(answerBody(error))}`;
  return new ForgeUnavailableError(`${where}: no installation token (${cause})`, status);
}

/** What one installation token may do: GitHub's permission names and levels. */
export type TokenPermissions = Readonly<Record<string, 'read' | 'write'>>;

/**
 * The least a request needs: a token is asked for the route's repository alone and for exactly
 * this, so a route that only writes statuses never holds a token that could push or deploy.
 */
export function permissionsFor(url: string): TokenPermissions {
  const path = new URL(url, 'https://api.github.com').pathname;
  // Before statuses: a deployment's statuses (`/deployments/{id}/statuses`) are a deployment's.
  if (/\/deployments(\/|$)/.test(path)) return { deployments: 'write' };
  if (/\/(statuses|status)(\/|$)/.test(path)) return { statuses: 'write' };
  if (path.endsWith('/dispatches')) return { contents: 'write' };
  // A commit range (functions/ranges/) reads the repository's history.
  if (/\/compare\//.test(path)) return { contents: 'read' };
  // A change request's comment: GitHub files pull request comments under issues.
  if (/\/issues\/(\d+\/)?comments(\/|$)/.test(path)) return { issues: 'write', pull_requests: 'write' };
  return { metadata: 'read' };
}

const STATUSES: TokenPermissions = { statuses: 'write' };

/** The installation tokens of one App key for one repository's installation. */
export class InstallationTokens {
  readonly #key: string;
  readonly #request: RequestInterface;
  readonly #where: string;

  constructor(
    private readonly credentials: GitHubAppCredentials,
    private readonly location: GitHubLocation,
    fetchFn: Fetch,
    private readonly now: () => number = Date.now,
  ) {
    const baseUrl = (credentials.baseUrl ?? location.apiUrl).replace(/\/+$/, '');
    const selector =
      credentials.installationId ??
      (credentials.installationOwner === undefined
        ? `repo:${location.repository}`
        : `owner:${credentials.installationOwner}`);
    const keyDigest = createHash('sha256').update(credentials.privateKey).digest('hex');
    this.#key = [baseUrl, credentials.appId, selector, keyDigest].join('\n');
    this.#where = `GitHub App ${credentials.appId} for ${location.repository}`;
    this.#request = octokitRequest.defaults({
      baseUrl,
      headers: { 'user-agent': 'flux-commit-status' },
      request: {
        fetch: ((url: string, init?: RequestInit) =>
          fetchFn(url, { ...init, signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS) })) as Fetch,
      },
    });
  }

  /**
   * A token with some life left: the cached one, or one request shared by every caller. A caller
   * waits for it until its own `signal` (its delivery's deadline) fires, and no longer: the shared
   * request runs on under its own bound, for the next caller.
   */
  get(signal?: AbortSignal, permissions: TokenPermissions = STATUSES): Promise<string> {
    const token = this.#shared(permissions);
    if (signal === undefined) return token;
    return new Promise<string>((resolve, reject) => {
      const abort = () =>
        reject(
          new ForgeUnavailableError(`${this.#where}: no installation token within the delivery's deadline`),
        );
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      token.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
    });
  }

  #shared(permissions: TokenPermissions): Promise<string> {
    const key = this.#keyOf(permissions);
    let entry = tokens.get(key);
    if (entry === undefined) {
      entry = { expiresAt: 0 };
      tokens.set(key, entry);
    }
    if (entry.token !== undefined && entry.expiresAt - this.now() > REFRESH_BEFORE_EXPIRY_MS) {
      return Promise.resolve(entry.token);
    }
    let pending = entry.pending;
    if (pending === undefined) {
      const current = entry;
      pending = this.#refresh(current, permissions).finally(() => {
        current.pending = undefined;
      });
      current.pending = pending;
    }
    return pending;
  }

  /** The permissions GitHub granted with the current token, for the self-test's verdict. */
  permissions(): Record<string, string> | undefined {
    return tokens.get(this.#keyOf(STATUSES))?.permissions;
  }

  #keyOf(permissions: TokenPermissions): string {
    return `${this.#key}\n${JSON.stringify(Object.entries(permissions).sort())}`;
  }

  /** GitHub refused `token`: forget it (unless another caller has already replaced it). */
  drop(token: string, permissions: TokenPermissions = STATUSES): void {
    const entry = tokens.get(this.#keyOf(permissions));
    if (entry?.token === token) {
      entry.token = undefined;
      entry.expiresAt = 0;
    }
  }

  async #refresh(entry: CachedToken, permissions: TokenPermissions): Promise<string> {
    try {
      // Loaded on the first App token only: routes with a plain token never pay for it.
      const { createAppAuth } = await import('@octokit/auth-app');
      const auth = createAppAuth({
        appId: this.credentials.appId,
        privateKey: keyPem(this.credentials),
        request: this.#request,
        // This module keeps the cache, with its own refresh rule; an empty string is auth-app's miss.
        cache: { get: () => '', set: () => undefined },
      });
      entry.installationId ??= await this.#installationId(auth);
      const installation = await auth({
        type: 'installation',
        installationId: entry.installationId,
        refresh: true,
        repositoryNames: [this.location.repo],
        permissions: { ...permissions },
      });
      entry.token = installation.token;
      entry.permissions = installation.permissions as Record<string, string>;
      entry.expiresAt = Date.parse(installation.expiresAt);
      return installation.token;
    } catch (error) {
      // A lookup that failed may succeed once the App is installed: look again next time.
      if (this.credentials.installationId === undefined) entry.installationId = undefined;
      throw translate(error, this.#where);
    }
  }

  /** As Flux does: the configured id, else the owner's installation, else the repository's. */
  async #installationId(auth: AppAuth): Promise<number> {
    const { installationId, installationOwner } = this.credentials;
    if (installationId !== undefined) return Number(installationId);
    const { token: jwt } = await auth({ type: 'app' });
    const headers = { authorization: `bearer ${jwt}` };
    const { data } =
      installationOwner === undefined
        ? await this.#request('GET /repos/{owner}/{repo}/installation', {
            owner: this.location.owner,
            repo: this.location.repo,
            headers,
          })
        : await this.#request('GET /users/{username}/installation', {
            username: installationOwner,
            headers,
          });
    return data.id;
  }
}

type Hook = (
  request: RequestInterface,
  route: string,
  parameters?: Record<string, unknown>,
) => ReturnType<RequestInterface>;

/**
 * An Octokit `authStrategy`: every request carries the installation's token, and a 401 drops it and
 * tries once more with a new one (GitHub may revoke a token before its expiry).
 */
export function appAuthStrategy(tokenSource: InstallationTokens) {
  return () => {
    const auth = async () => ({
      type: 'token' as const,
      tokenType: 'installation' as const,
      token: await tokenSource.get(),
    });
    const hook: Hook = async (request, route, parameters) => {
      // `merge` always fills the url from the route; its type leaves it optional.
      const endpoint = request.endpoint.merge(route, parameters) as ReturnType<
        RequestInterface['endpoint']['merge']
      > & { url: string };
      // Every request carries its delivery's deadline as `request.signal` (client.ts); the token waits no longer.
      const signal = (endpoint.request as { signal?: AbortSignal } | undefined)?.signal;
      const permissions = permissionsFor(endpoint.url);
      const token = await tokenSource.get(signal, permissions);
      endpoint.headers.authorization = `token ${token}`;
      try {
        return await request(endpoint);
      } catch (error) {
        if (errorStatus(error) !== 401) throw error;
        tokenSource.drop(token, permissions);
        endpoint.headers.authorization = `token ${await tokenSource.get(signal, permissions)}`;
        return request(endpoint);
      }
    };
    return Object.assign(auth, { hook });
  };
}
