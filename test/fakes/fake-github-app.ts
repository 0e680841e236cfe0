import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { FakeGitHub } from './fake-github.js';
import type { RecordedRequest, ScriptedResponse } from './loopback-server.js';

export interface Installation {
  id: number;
  /** The account the App is installed on, and the repositories it may reach there. */
  owner: string;
  repositories: string[];
}

const TOKENS = /^\/app\/installations\/(\d+)\/access_tokens$/;
const USER_INSTALLATION = /^\/users\/([^/]+)\/installation$/;
const REPO_INSTALLATION = /^\/repos\/([^/]+)\/([^/]+)\/installation$/;

function base64url(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

/**
 * GitHub's App side on 127.0.0.1, over the stateful statuses of FakeGitHub: each App request must
 * carry a JWT that GitHub would take (RS256 under the App's public key, `iss` the App id, `iat` in
 * the past, `exp` at most ten minutes ahead), and each status request a live installation token.
 */
export class FakeGitHubApp extends FakeGitHub {
  readonly jwtFaults: string[] = [];
  readonly issued: { token: string; installationId: number }[] = [];
  /** Tokens GitHub no longer takes, as after a revocation. */
  readonly revoked = new Set<string>();
  /** Refuse every installation token, as for an App whose installation was suspended. */
  refuseAllTokens = false;
  /** What the App's installation grants, as GitHub says with each token. */
  permissions: Record<string, string> = { metadata: 'read', statuses: 'write' };
  /** How long each new token lives, in seconds. */
  tokenLifetimeSeconds = 3600;
  readonly #publicKey: KeyObject;

  constructor(
    private readonly appId: string,
    publicKeyPem: string,
    readonly installations: Installation[],
  ) {
    super();
    this.#publicKey = createPublicKey(publicKeyPem);
  }

  get tokenRequests(): RecordedRequest[] {
    return this.requests.filter((request) => TOKENS.test(request.path));
  }

  /** Why GitHub would refuse this JWT, or undefined when it would take it. */
  #jwtFault(authorization: string | undefined): string | undefined {
    const match = /^bearer (.+)$/i.exec(authorization ?? '');
    if (match === null) return 'no bearer JWT';
    const [header, payload, signature] = (match[1] as string).split('.');
    if (header === undefined || payload === undefined || signature === undefined) return 'not a JWT';
    const { alg } = JSON.parse(base64url(header).toString('utf8'));
    if (alg !== 'RS256') return `alg ${alg}`;
    const signed = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      this.#publicKey,
      base64url(signature),
    );
    if (!signed) return 'bad signature';
    const claims = JSON.parse(base64url(payload).toString('utf8'));
    const now = Math.floor(Date.now() / 1000);
    if (String(claims.iss) !== this.appId) return `iss ${claims.iss}`;
    if (!(claims.iat < now)) return 'iat not in the past';
    if (!(claims.exp > now && claims.exp <= now + 600)) return 'exp not within 10 minutes';
    return undefined;
  }

  protected override handle(request: RecordedRequest): ScriptedResponse {
    const tokens = TOKENS.exec(request.path);
    const user = USER_INSTALLATION.exec(request.path);
    const repo = REPO_INSTALLATION.exec(request.path);
    if (tokens || user || repo) {
      const fault = this.#jwtFault(request.headers.authorization);
      if (fault !== undefined) {
        this.jwtFaults.push(fault);
        return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
      }
    }
    if (request.method === 'POST' && tokens) {
      const installationId = Number(tokens[1]);
      if (!this.installations.some((installation) => installation.id === installationId)) {
        return { status: 404, body: { message: 'Not Found' } };
      }
      const token = `ghs_fake${this.issued.length + 1}`.padEnd(40, 'x');
      this.issued.push({ token, installationId });
      const expiresAt = new Date(Date.now() + this.tokenLifetimeSeconds * 1000).toISOString();
      return {
        status: 201,
        body: {
          token,
          expires_at: expiresAt,
          permissions: this.permissions,
          repository_selection: 'selected',
        },
      };
    }
    if (request.method === 'GET' && (user || repo)) {
      const found = this.installations.find((installation) =>
        user
          ? installation.owner === user[1]
          : installation.repositories.includes(`${repo?.[1]}/${repo?.[2]}`),
      );
      return found === undefined
        ? { status: 404, body: { message: 'Not Found' } }
        : { status: 200, body: { id: found.id, account: { login: found.owner } } };
    }
    const token = /^token (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const issued = this.issued.find((candidate) => candidate.token === token);
    if (issued === undefined || this.revoked.has(issued.token) || this.refuseAllTokens) {
      return { status: 401, body: { message: 'Bad credentials' } };
    }
    const repository = /^\/repos\/([^/]+\/[^/]+)(?:\/|$)/.exec(request.path)?.[1];
    const installation = this.installations.find((candidate) => candidate.id === issued.installationId);
    if (repository === undefined || !installation?.repositories.includes(repository)) {
      return { status: 404, body: { message: 'Not Found' } };
    }
    if (request.method === 'GET' && request.path === `/repos/${repository}`) {
      return { status: 200, body: { full_name: repository } };
    }
    return super.handle(request);
  }
}
