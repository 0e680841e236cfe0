import { createHash } from 'node:crypto';
import { verifyBearer, verifySignature } from '../core/authentication.js';
import {
  ForgeRejectedError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RelayError,
  RouteMisconfiguredError,
  RouteNotFoundError,
} from '../core/errors.js';
import { parseFluxEvent } from '../core/flux-event.js';
import { errorResponse, type JsonResponse, jsonResponse, statusOf } from '../core/http-response.js';
import { redact } from '../core/redact.js';
import type { Route } from '../core/routes-config.js';
import { StatusMemory } from '../core/status-memory.js';
import { decideStatus } from '../core/status-rules.js';
import type { CommitStatus, ForgeClient, ForgeCredentials } from '../forges/forge.js';
import { createForgeClient } from '../forges/index.js';
import type { SecretSource, SecretValue } from '../secrets/secret-source.js';
import type { WebhookRequest } from './webhook-request.js';

export type Outcome = 'written' | 'duplicate' | 'dry-run' | 'skipped' | 'rejected' | 'failed';

/** Everything worth knowing about one delivery, for its log line and its metrics. Never a secret. */
export interface DeliveryRecord {
  outcome: Outcome;
  statusCode: number;
  durationMs: number;
  route?: string;
  cluster?: string;
  forge?: string;
  repository?: string;
  object?: string;
  sha?: string;
  context?: string;
  state?: string;
  description?: string;
  forgeStatus?: number;
  error?: string;
  reason?: string;
}

export interface RelayOptions {
  routes: readonly Route[];
  secrets: SecretSource;
  /** Called once per request with its record: the log line and the metrics come from it. */
  observe: (record: DeliveryRecord) => void;
  /** Time for the forge calls of one request; Flux waits 15 s in all, retries included. */
  budgetMs?: number;
  maxBodyBytes?: number;
  memory?: StatusMemory;
}

export type Relay = (request: WebhookRequest) => Promise<JsonResponse>;

export const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_BUDGET_MS = 9000;

class InternalError extends RelayError {
  readonly code = 'internal-error';
}

function credentialsOf(secret: SecretValue): ForgeCredentials {
  const credentials: ForgeCredentials = {};
  if (secret.token !== undefined) credentials.token = secret.token;
  if (secret.username !== undefined) credentials.username = secret.username;
  if (secret.password !== undefined) credentials.password = secret.password;
  if (secret['ca.crt'] !== undefined) credentials.caCert = secret['ca.crt'];
  return credentials;
}

function fingerprint(credentials: ForgeCredentials): string {
  return createHash('sha256').update(JSON.stringify(credentials)).digest('hex');
}

export function createRelay(options: RelayOptions): Relay {
  const routes = new Map(options.routes.map((route) => [route.id, route]));
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const memory = options.memory ?? new StatusMemory();
  const clients = new Map<string, { fingerprint: string; client: ForgeClient }>();

  /** Secret values met while serving one request, to be scrubbed from anything it says. */
  type Seen = Set<string>;

  async function secretValue(name: string, seen: Seen, fresh = false): Promise<SecretValue> {
    const value = await options.secrets.get(name, { fresh });
    for (const text of [value.token, value.password]) if (text) seen.add(text);
    return value;
  }

  async function authenticate(route: Route, request: WebhookRequest, seen: Seen): Promise<void> {
    const names = Array.isArray(route.auth.secret) ? route.auth.secret : [route.auth.secret];
    const keys: Buffer[] = [];
    for (const name of names) {
      const { token } = await secretValue(name, seen);
      if (token === undefined || token === '') {
        throw new RouteMisconfiguredError(`webhook secret "${name}" of route ${route.id} has no "token"`);
      }
      keys.push(Buffer.from(token, 'utf8'));
    }
    if (route.auth.type === 'bearer') verifyBearer(request.headers.authorization, keys);
    else verifySignature(request.headers['x-signature'], request.body, keys);
  }

  async function forgeClient(route: Route, seen: Seen, fresh: boolean): Promise<ForgeClient> {
    const secretName = route.provider.secret;
    if (secretName === undefined)
      throw new RouteMisconfiguredError(`route ${route.id} names no provider.secret`);
    const credentials = credentialsOf(await secretValue(secretName, seen, fresh));
    const print = fingerprint(credentials);
    const cached = clients.get(route.id);
    if (cached?.fingerprint === print) return cached.client;
    const client = await createForgeClient(route.provider, credentials);
    clients.set(route.id, { fingerprint: print, client });
    return client;
  }

  async function write(route: Route, status: CommitStatus, deadline: number, seen: Seen) {
    const client = await forgeClient(route, seen, false);
    try {
      return await client.write(status, { deadline });
    } catch (error) {
      // A 401 may mean the token was rotated since it was cached: read it again, once.
      if (!(error instanceof ForgeRejectedError && error.forgeStatus === 401)) throw error;
      return (await forgeClient(route, seen, true)).write(status, { deadline });
    }
  }

  async function deliver(request: WebhookRequest, record: DeliveryRecord, seen: Seen, started: number) {
    if (request.method !== 'POST') throw new MethodNotAllowedError(`use POST, not ${request.method}`);
    if (request.body.length > maxBodyBytes) {
      throw new PayloadTooLargeError(
        `the body is ${request.body.length} bytes; the limit is ${maxBodyBytes}`,
      );
    }
    const route = request.routeId === undefined ? undefined : routes.get(request.routeId);
    if (route === undefined) {
      const shown = JSON.stringify((request.routeId ?? '').slice(0, 64));
      throw new RouteNotFoundError(`no route ${shown}; POST to /hooks/<route id> from the config`);
    }
    record.route = route.id;
    record.cluster = route.cluster ?? route.id;
    record.forge = route.provider.type;

    await authenticate(route, request, seen);
    const event = parseFluxEvent(request.body.toString('utf8'));
    const object = event.involvedObject;
    record.object = `${object.kind}/${object.namespace ?? ''}/${object.name}`;

    const decision = decideStatus(event, route);
    if (decision.kind === 'skip') {
      record.outcome = 'skipped';
      record.reason = decision.reason;
      return jsonResponse(202, { outcome: 'skipped', skipped: decision.code, reason: decision.reason });
    }
    const status = decision.status;
    Object.assign(record, { sha: status.sha, context: status.context, state: status.state });
    record.description = status.description;
    const summary = {
      route: route.id,
      sha: status.sha,
      context: status.context,
      state: status.state,
      description: status.description,
    };
    if (route.dryRun) {
      record.outcome = 'dry-run';
      return jsonResponse(200, { outcome: 'dry-run', ...summary });
    }

    const identity = StatusMemory.key([
      route.provider.type,
      route.provider.apiUrl ?? '',
      route.provider.address,
      status.sha,
      status.context,
    ]);
    const value = `${status.state}\u0000${status.description}\u0000${status.targetUrl ?? ''}`;
    if (memory.has(identity, value)) {
      record.outcome = 'duplicate';
      return jsonResponse(200, { outcome: 'duplicate', ...summary });
    }
    const result = await write(route, status, started + budgetMs, seen);
    memory.remember(identity, value);
    record.outcome = result.outcome;
    if (result.forgeStatus !== undefined) record.forgeStatus = result.forgeStatus;
    return jsonResponse(200, { outcome: result.outcome, ...summary });
  }

  return async function relay(request) {
    const started = Date.now();
    const record: DeliveryRecord = { outcome: 'rejected', statusCode: 0, durationMs: 0 };
    const seen: Seen = new Set();
    let response: JsonResponse;
    try {
      response = await deliver(request, record, seen, started);
    } catch (caught) {
      const error =
        caught instanceof RelayError ? caught : new InternalError('internal error; see the function log');
      error.message = redact(error.message, seen);
      response = errorResponse(error);
      record.outcome = statusOf(error) >= 500 || error instanceof ForgeRejectedError ? 'failed' : 'rejected';
      record.error = error.code;
      record.reason = error.message;
      if (error instanceof InternalError)
        record.reason = redact(String((caught as Error)?.stack ?? caught), seen);
      const forgeStatus = (error as { forgeStatus?: number }).forgeStatus;
      if (forgeStatus !== undefined) record.forgeStatus = forgeStatus;
    }
    record.statusCode = response.statusCode;
    record.durationMs = Date.now() - started;
    options.observe(record);
    return response;
  };
}
