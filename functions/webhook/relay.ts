import { createHash } from 'node:crypto';
import {
  ForgeRejectedError,
  ForgeUnavailableError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RelayError,
  RouteMisconfiguredError,
  RouteNotFoundError,
  StaleEventError,
} from '../core/errors.js';
import { parseFluxEvent } from '../core/flux-event.js';
import { errorResponse, type JsonResponse, jsonResponse, statusOf } from '../core/http-response.js';
import { redact } from '../core/redact.js';
import type { Route } from '../core/routes-config.js';
import { decideStatus } from '../core/status-rules.js';
import type { CommitStatus, ForgeClient, ForgeCredentials } from '../forges/forge.js';
import { createForgeClient } from '../forges/index.js';
import {
  type DeliveryLedger,
  type LedgerEntry,
  ledgerKey,
  sameStatus,
  supersedes,
} from '../ledger/delivery-ledger.js';
import { MemoryLedger } from '../ledger/memory-ledger.js';
import type { DeliveryQueue, QueuedDelivery } from '../queue/delivery-queue.js';
import type { SecretSource, SecretValue } from '../secrets/secret-source.js';
import { WebhookKeys } from './webhook-keys.js';
import type { WebhookRequest } from './webhook-request.js';

export type Outcome =
  | 'written'
  | 'duplicate'
  | 'superseded'
  | 'dry-run'
  | 'queued'
  | 'skipped'
  | 'rejected'
  | 'failed';

/** Everything worth knowing about one delivery, for its log line and its metrics. Never a secret. */
export interface DeliveryRecord {
  outcome: Outcome;
  statusCode: number;
  durationMs: number;
  route?: string;
  cluster?: string;
  forge?: string;
  object?: string;
  sha?: string;
  context?: string;
  state?: string;
  description?: string;
  targetUrl?: string;
  forgeStatus?: number;
  /** Set when the shared ledger could not be used and the forge read stood in for it. */
  ledger?: 'unavailable';
  /** The attempt number of a delivery retried from the queue. */
  attempt?: number;
  error?: string;
  reason?: string;
}

export interface RelayOptions {
  routes: readonly Route[];
  secrets: SecretSource;
  /** Called once per delivery attempt with its record: the log line and the metrics come from it. */
  observe: (record: DeliveryRecord) => void;
  /** The ledger every container shares; without it, only this process's memory skips repeats. */
  ledger?: DeliveryLedger;
  /** Where a delivery goes when the forge is still failing at the end of the budget. */
  queue?: DeliveryQueue;
  /** Time for the forge calls of one request; Flux waits 15 s in all, retries included. */
  budgetMs?: number;
  maxBodyBytes?: number;
  now?: () => number;
}

export type Relay = (request: WebhookRequest) => Promise<JsonResponse>;

/** One attempt at a queued delivery: resolves when done for good, throws when worth retrying. */
export type Redeliver = (delivery: QueuedDelivery, attempt: number) => Promise<Outcome>;

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

function summaryOf(route: Route, status: CommitStatus) {
  return {
    route: route.id,
    sha: status.sha,
    context: status.context,
    state: status.state,
    description: status.description,
  };
}

/** Secret values met while serving one request, to be scrubbed from anything it says. */
type Seen = Set<string>;

export function createRelay(options: RelayOptions): { relay: Relay; redeliver: Redeliver } {
  const routes = new Map(options.routes.map((route) => [route.id, route]));
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const now = options.now ?? Date.now;
  const memory = new MemoryLedger();
  const clients = new Map<string, { secret: SecretValue; fingerprint: string; client: ForgeClient }>();
  const webhookKeys = new WebhookKeys(options.secrets);

  async function secretValue(name: string, seen: Seen, fresh = false): Promise<SecretValue> {
    const value = await options.secrets.get(name, { fresh });
    for (const text of [value.token, value.password]) if (text) seen.add(text);
    return value;
  }

  async function authenticate(route: Route, request: WebhookRequest, seen: Seen): Promise<void> {
    await webhookKeys.authenticate(route, request, seen);
  }

  async function forgeClient(route: Route, seen: Seen, fresh: boolean): Promise<ForgeClient> {
    const secretName = route.provider.secret;
    if (secretName === undefined)
      throw new RouteMisconfiguredError(`route ${route.id} names no provider.secret`);
    const secret = await secretValue(secretName, seen, fresh);
    const cached = clients.get(route.id);
    // The Secrets Manager source hands out the same object while the secret is unchanged.
    if (cached?.secret === secret) return cached.client;
    const credentials = credentialsOf(secret);
    const print = fingerprint(credentials);
    if (cached?.fingerprint === print) {
      cached.secret = secret;
      return cached.client;
    }
    const client = await createForgeClient(route.provider, credentials);
    clients.set(route.id, { secret, fingerprint: print, client });
    return client;
  }

  async function writeToForge(route: Route, status: CommitStatus, deadline: number, seen: Seen) {
    const client = await forgeClient(route, seen, false);
    try {
      return await client.write(status, { deadline });
    } catch (error) {
      // A 401 may mean the token was rotated since it was cached: read it again, once.
      if (!(error instanceof ForgeRejectedError && error.forgeStatus === 401)) throw error;
      return (await forgeClient(route, seen, true)).write(status, { deadline });
    }
  }

  /**
   * What is known of this status identity. With a shared ledger, the ledger: another container may
   * have written since this one did. Without one, or while it fails, this process's memory.
   */
  async function knownEntry(key: string, record: DeliveryRecord): Promise<LedgerEntry | undefined> {
    if (options.ledger === undefined) return memory.peek(key);
    try {
      return await options.ledger.read(key);
    } catch {
      record.ledger = 'unavailable';
      return memory.peek(key);
    }
  }

  async function recordShared(key: string, entry: LedgerEntry, record: DeliveryRecord) {
    if (options.ledger === undefined || record.ledger === 'unavailable') return 'recorded';
    try {
      return await options.ledger.record(key, entry);
    } catch {
      record.ledger = 'unavailable';
      return 'recorded';
    }
  }

  /**
   * Writes a decided status unless the ledger (or this process) already holds it, or holds a newer
   * event's status. Shared by the webhook and the retry queue.
   */
  async function deliverStatus(
    route: Route,
    decided: CommitStatus,
    eventTime: number,
    deadline: number,
    record: DeliveryRecord,
    seen: Seen,
  ): Promise<Outcome> {
    // The forge's credentials first, so that none of them is quoted in what is written or stored: a
    // Flux message can carry one (a clone URL with a token in it).
    await forgeClient(route, seen, false);
    const status = { ...decided, description: redact(decided.description, seen) };
    const key = ledgerKey([
      route.provider.type,
      route.provider.apiUrl ?? '',
      route.provider.address,
      status.sha,
      status.context,
    ]);
    const entry: LedgerEntry = {
      state: status.state,
      description: status.description,
      targetUrl: status.targetUrl ?? '',
      eventTime,
    };
    const known = await knownEntry(key, record);
    if (known !== undefined && supersedes(known, entry)) return 'superseded';
    if (known !== undefined && sameStatus(known, entry)) {
      memory.remember(key, known);
      return 'duplicate';
    }
    const result = await writeToForge(route, status, deadline, seen);
    if (result.forgeStatus !== undefined) record.forgeStatus = result.forgeStatus;
    memory.remember(key, entry);
    if ((await recordShared(key, entry, record)) === 'recorded') return result.outcome;
    // A newer event was recorded while this one was written, so the forge may now show the older
    // status: write the newer one again, so the forge ends as the ledger says.
    const newer = await knownEntry(key, record);
    if (newer !== undefined) {
      memory.remember(key, newer);
      const repaired = {
        ...status,
        state: newer.state as CommitStatus['state'],
        description: newer.description,
      };
      await writeToForge(
        route,
        { ...repaired, ...(newer.targetUrl === '' ? {} : { targetUrl: newer.targetUrl }) },
        deadline,
        seen,
      );
    }
    return 'superseded';
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
    const eventTime = Date.parse(event.timestamp);
    if (route.maxEventAgeSeconds !== undefined && now() - eventTime > route.maxEventAgeSeconds * 1000) {
      throw new StaleEventError(
        `the event's timestamp ${event.timestamp} is older than this route's maxEventAgeSeconds (${route.maxEventAgeSeconds})`,
      );
    }

    const decision = decideStatus(event, route);
    if (decision.kind === 'skip') {
      record.outcome = 'skipped';
      record.reason = decision.reason;
      return jsonResponse(202, { outcome: 'skipped', skipped: decision.code, reason: decision.reason });
    }
    const status = decision.status;
    Object.assign(record, { sha: status.sha, context: status.context, state: status.state });
    record.description = status.description;
    if (status.targetUrl !== undefined) record.targetUrl = status.targetUrl;
    if (route.dryRun) {
      record.outcome = 'dry-run';
      return jsonResponse(200, { outcome: 'dry-run', ...summaryOf(route, status) });
    }
    try {
      record.outcome = await deliverStatus(route, status, eventTime, started + budgetMs, record, seen);
    } catch (error) {
      if (!(error instanceof ForgeUnavailableError) || options.queue === undefined) throw error;
      // Flux would drop the event after its own retries; the queue keeps it until it is written.
      const reason = redact(error.message, seen);
      const queued = { ...status, description: redact(status.description, seen) };
      try {
        await options.queue.enqueue({ routeId: route.id, eventTime, status: queued }, reason);
      } catch {
        // Without the hand-off the forge's own answer stands, and Flux retries on the 502.
        error.message = `${error.message}; the retry queue could not take it either`;
        throw error;
      }
      record.outcome = 'queued';
      record.reason = reason;
      if (error.forgeStatus !== undefined) record.forgeStatus = error.forgeStatus;
      return jsonResponse(202, { outcome: 'queued', queued: true, reason, ...summaryOf(route, status) });
    }
    return jsonResponse(200, { outcome: record.outcome, ...summaryOf(route, status) });
  }

  /** Every text field is scrubbed: events and forge answers may quote what they should not. */
  function observe(record: DeliveryRecord, seen: Seen): void {
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === 'string') (record as unknown as Record<string, string>)[key] = redact(value, seen);
    }
    options.observe(record);
  }

  function fail(caught: unknown, record: DeliveryRecord, seen: Seen): RelayError {
    const error =
      caught instanceof RelayError ? caught : new InternalError('internal error; see the function log');
    error.message = redact(error.message, seen);
    record.outcome = statusOf(error) >= 500 || error instanceof ForgeRejectedError ? 'failed' : 'rejected';
    record.error = error.code;
    record.reason =
      error instanceof InternalError
        ? redact(String((caught as Error)?.stack ?? caught), seen)
        : error.message;
    const forgeStatus = (error as { forgeStatus?: number }).forgeStatus;
    if (forgeStatus !== undefined) record.forgeStatus = forgeStatus;
    return error;
  }

  async function relay(request: WebhookRequest): Promise<JsonResponse> {
    const started = now();
    const record: DeliveryRecord = { outcome: 'rejected', statusCode: 0, durationMs: 0 };
    const seen: Seen = new Set();
    let response: JsonResponse;
    try {
      response = await deliver(request, record, seen, started);
    } catch (caught) {
      response = errorResponse(fail(caught, record, seen));
    }
    record.statusCode = response.statusCode;
    record.durationMs = now() - started;
    observe(record, seen);
    return { ...response, body: redact(response.body, seen) };
  }

  async function redeliver(delivery: QueuedDelivery, attempt: number): Promise<Outcome> {
    const started = now();
    const status = delivery.status as CommitStatus;
    const record: DeliveryRecord = {
      outcome: 'failed',
      statusCode: 0,
      durationMs: 0,
      attempt,
      route: delivery.routeId,
    };
    Object.assign(record, {
      sha: status.sha,
      context: status.context,
      state: status.state,
      description: status.description,
    });
    const seen: Seen = new Set();
    try {
      const route = routes.get(delivery.routeId);
      if (route === undefined)
        throw new RouteNotFoundError(`the queued delivery names route ${delivery.routeId}, which is gone`);
      record.cluster = route.cluster ?? route.id;
      record.forge = route.provider.type;
      record.outcome = await deliverStatus(
        route,
        status,
        delivery.eventTime,
        started + budgetMs,
        record,
        seen,
      );
      record.statusCode = 200;
    } catch (caught) {
      const error = fail(caught, record, seen);
      record.statusCode = statusOf(error);
      // A queued delivery that will not be written is a failed delivery, whatever refused it.
      record.outcome = 'failed';
      // Only a transient fault is worth another attempt; the queue decides when and how often.
      if (error instanceof ForgeUnavailableError || statusOf(error) >= 500) {
        record.durationMs = now() - started;
        observe(record, seen);
        throw error;
      }
    }
    record.durationMs = now() - started;
    observe(record, seen);
    return record.outcome;
  }

  return { relay, redeliver };
}
