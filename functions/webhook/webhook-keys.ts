import type { Route } from '../config/route-schema.js';
import { describeKeyRef, type WebhookKeyRef, webhookKeyRefs } from '../config/webhook-secret.js';
import { verifyBearer, verifySignature } from '../core/authentication.js';
import { RelayError, RouteMisconfiguredError, SecretUnavailableError } from '../core/errors.js';
import type { SecretSource } from '../secrets/secret-source.js';
import { SECRET_MAX_AGE_SECONDS } from '../secrets/secrets-manager-source.js';
import type { WebhookRequest } from './webhook-request.js';

export interface WebhookKeysOptions {
  /** Where an unreadable key is reported; a structured line on stderr by default. */
  warn?: (message: string, details: Record<string, string>) => void;
  now?: () => number;
  /** How long one unreadable key stays quiet after it was reported: the secrets' cache period. */
  quietMs?: number;
}

function warnOnStderr(message: string, details: Record<string, string>): void {
  console.warn(JSON.stringify({ level: 'WARN', message, ...details }));
}

/**
 * A route's webhook keys. During a rotation a route lists several secrets, one of which may not exist
 * yet (or any more): a request is verified with every key that can be read, and the route fails only
 * when none can. The caller, who is not authenticated yet, is never told a secret's name; the log is,
 * once per cache period for each unreadable secret.
 */
export class WebhookKeys {
  readonly #warn: NonNullable<WebhookKeysOptions['warn']>;
  readonly #now: () => number;
  readonly #quietMs: number;
  /** When each unreadable key was last reported, by secret and key. */
  readonly #reported = new Map<string, number>();

  constructor(options: WebhookKeysOptions = {}) {
    this.#warn = options.warn ?? warnOnStderr;
    this.#now = options.now ?? Date.now;
    this.#quietMs = options.quietMs ?? SECRET_MAX_AGE_SECONDS * 1000;
  }

  /**
   * Throws UnauthorizedError unless the request carries a valid signature or bearer token. A request
   * without one is refused before any secret is read. Keys are read through `secrets`, the delivery's
   * secret scope, which remembers each for scrubbing.
   */
  async authenticate(route: Route, request: WebhookRequest, secrets: SecretSource): Promise<void> {
    const verify =
      route.auth.type === 'bearer'
        ? (keys: Buffer[]) => verifyBearer(request.headers.authorization, keys)
        : (keys: Buffer[]) => verifySignature(request.headers['x-signature'], request.body, keys);
    const header =
      route.auth.type === 'bearer' ? request.headers.authorization : request.headers['x-signature'];
    if (header === undefined || header === '') verify([]);
    verify(await this.keysOf(route, secrets));
  }

  /** The keys of the route that can be read; at least one, or a 5xx that names no secret. */
  async keysOf(route: Route, secrets: SecretSource): Promise<Buffer[]> {
    const keys: Buffer[] = [];
    let transient = false;
    for (const ref of webhookKeyRefs(route.auth.secret)) {
      try {
        // A shared secret is read (and cached) once for every route that names a key in it.
        const value: Record<string, unknown> = await secrets.get(ref.secret);
        const key = value[ref.key];
        if (typeof key !== 'string' || key === '') {
          throw new RouteMisconfiguredError(
            `webhook ${describeKeyRef(ref)} of route ${route.id} has no "${ref.key}" string`,
          );
        }
        keys.push(Buffer.from(key, 'utf8'));
      } catch (error) {
        if (!(error instanceof RelayError)) throw error;
        transient ||= error instanceof SecretUnavailableError;
        this.#report(route, ref, error);
      }
    }
    if (keys.length > 0) return keys;
    const unreadable = `no webhook key of route ${route.id} can be read; the function log says which and why`;
    throw transient ? new SecretUnavailableError(unreadable) : new RouteMisconfiguredError(unreadable);
  }

  #report(route: Route, ref: WebhookKeyRef, error: RelayError): void {
    const now = this.#now();
    const name = `${ref.secret}\n${ref.key}`;
    const last = this.#reported.get(name);
    if (last !== undefined && now - last < this.#quietMs) return;
    this.#reported.set(name, now);
    this.#warn('a webhook key of the route cannot be read; the others are used', {
      route: route.id,
      secret: ref.secret,
      ...(ref.key === 'token' ? {} : { key: ref.key }),
      error: error.code,
      reason: error.message,
    });
  }
}
