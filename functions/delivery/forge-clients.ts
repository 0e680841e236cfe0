import { createHash } from 'node:crypto';
import type { Route } from '../config/route-schema.js';
import { ForgeRejectedError, RouteMisconfiguredError } from '../core/errors.js';
import { credentialsFromSecret } from '../forges/credentials.js';
import type {
  CommitStatus,
  ForgeClient,
  ForgeCredentials,
  WriteOptions,
  WriteResult,
} from '../forges/forge.js';
import { createForgeClient } from '../forges/registry.js';
import type { SecretValue } from '../secrets/secret-source.js';
import type { SecretScope } from './secret-scope.js';

export type CreateForgeClient = typeof createForgeClient;

function fingerprint(credentials: ForgeCredentials): string {
  return createHash('sha256').update(JSON.stringify(credentials)).digest('hex');
}

/**
 * One forge client per route, kept while its secret is unchanged: building octokit or gitbeaker
 * costs more than a write. After a 401 the secret is read afresh, once, as after a rotation.
 */
export class ForgeClients {
  readonly #clients = new Map<string, { secret: SecretValue; fingerprint: string; client: ForgeClient }>();

  constructor(private readonly create: CreateForgeClient = createForgeClient) {}

  /** The route's client; reading its secret also teaches the scope what to scrub. */
  async client(route: Route, scope: SecretScope, fresh = false): Promise<ForgeClient> {
    const secretName = route.provider.secret;
    if (secretName === undefined)
      throw new RouteMisconfiguredError(`route ${route.id} names no provider.secret`);
    const secret = await scope.get(secretName, { fresh });
    const cached = this.#clients.get(route.id);
    // The Secrets Manager source hands out the same object while the secret is unchanged.
    if (cached?.secret === secret) return cached.client;
    const credentials = credentialsFromSecret(secret);
    const print = fingerprint(credentials);
    if (cached?.fingerprint === print) {
      cached.secret = secret;
      return cached.client;
    }
    const client = await this.create(route.provider, credentials);
    this.#clients.set(route.id, { secret, fingerprint: print, client });
    return client;
  }

  async write(
    route: Route,
    status: CommitStatus,
    options: WriteOptions,
    scope: SecretScope,
  ): Promise<WriteResult> {
    const client = await this.client(route, scope);
    try {
      return await client.write(status, options);
    } catch (error) {
      if (!(error instanceof ForgeRejectedError && error.forgeStatus === 401)) throw error;
      return (await this.client(route, scope, true)).write(status, options);
    }
  }
}
