import type { Route } from '../config/route-schema.js';
import { changeRequestOf, commentMarker, renderComment } from '../core/change-request-comment.js';
import type { CommitStatus } from '../core/commit-status.js';
import {
  FutureEventError,
  isPassingFault,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RouteNotFoundError,
  StaleEventError,
  WriteDeferredError,
} from '../core/errors.js';
import { type FluxEvent, normaliseMetadata, parseFluxEvent } from '../core/flux-event.js';
import { errorResponse, type JsonResponse, jsonResponse } from '../core/http-response.js';
import { previewOf } from '../core/preview.js';
import { decideStatus } from '../core/status-rules.js';
import { DEFER_SPACING_AFTER_MS, forgeDeadline } from '../delivery/budget.js';
import { type DeliveryRecord, type ObserveDelivery, runAttempt } from '../delivery/delivery-record.js';
import type { SecretScope } from '../delivery/secret-scope.js';
import { type DeliverStatus, forgeStatus } from '../delivery/status-delivery.js';
import type { DetailsLinks } from '../details/details-links.js';
import { statusNameOf } from '../expressions/route-status-names.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import type { SecretSource } from '../secrets/secret-source.js';
import { WebhookKeys } from './webhook-keys.js';
import type { WebhookRequest } from './webhook-request.js';

export interface RelayOptions {
  routes: ReadonlyMap<string, Route>;
  secrets: SecretSource;
  observe: ObserveDelivery;
  /** What follows a decided status (functions/service/delivery-pipeline.ts). */
  deliverStatus: DeliverStatus;
  /** Where a delivery goes when the forge or the ledger still fails at the end of the budget. */
  queue?: DeliveryQueue;
  /** With a queue: a forge write held longer than this by GitHub's write spacing is queued with that delay instead. */
  deferSpacingAfterMs?: number;
  maxBodyBytes?: number;
  /** The forge's time when the invocation leaves more: 9 s, as Flux waits 15 s in all. */
  budgetMs?: number;
  now?: () => number;
  /** The details pages' links and records, for the routes with `detailsPage`. */
  details?: DetailsLinks;
}

export type Relay = (request: WebhookRequest) => Promise<JsonResponse>;

export const MAX_BODY_BYTES = 1024 * 1024;

/** The change request's comment an event owes, on a route with `changeRequestComments`. */
function changeRequestComment(route: Route, event: FluxEvent, status: CommitStatus) {
  if (!route.changeRequestComments) return undefined;
  const metadata = normaliseMetadata(event.metadata);
  const changeRequest = changeRequestOf(metadata);
  if (changeRequest === undefined) return undefined;
  // The Provider's uid, when the route names the one it replaces: Flux's own comment is found again.
  const marker = commentMarker(route.provider.metadata?.uid ?? route.id, event.involvedObject);
  const body = renderComment(marker, event, metadata, status, route.cluster ?? route.id);
  return { changeRequest, marker, body };
}

/** What the answer and the log line say of a decided status. */
function summaryOf(route: Route, status: CommitStatus) {
  const { sha, context, state, description } = status;
  return { route: route.id, sha, context, state, description };
}

/**
 * The answer to a delivered event: each status it touched with its own outcome, the cluster's
 * status and the fleet environment's roll-up. The roll-up is written by its own consumer after the
 * answer (functions/fleet/), so the answer says what became of the cluster's report (`report`:
 * changed, advanced, same, stale), never a roll-up state it has not computed. The top level is the
 * cluster's status, or the report's when the route writes no cluster status (`clusterStatuses:
 * false`): an answer never calls a context written that was not.
 */
function deliveredAnswer(route: Route, status: CommitStatus, record: DeliveryRecord) {
  const statuses: Record<string, string>[] = [];
  if (route.clusterStatuses) {
    const { context, state, description } = status;
    statuses.push({ status: 'cluster', context, state, description, outcome: record.outcome });
  }
  if (record.rollup?.report !== undefined) {
    const { context, report } = record.rollup;
    statuses.push({ status: 'rollup', context, outcome: record.outcome, report });
  }
  const [first] = statuses;
  if (first === undefined) {
    return {
      outcome: 'skipped',
      route: route.id,
      sha: status.sha,
      statuses,
      reason: `route ${route.id} writes no cluster status (clusterStatuses: false), and no roll-up of environment ${route.environment} counts this object`,
    };
  }
  const { context, outcome } = first as Record<string, string>;
  const shown = route.clusterStatuses ? { state: status.state, description: status.description } : {};
  return { outcome, route: route.id, sha: status.sha, context, ...shown, statuses };
}

/**
 * A Flux webhook request's path, in order: guard, find the route, authenticate, parse, check the
 * event's time, decide, deliver in event order, hand off to the queue, answer. Everything it says
 * is scrubbed of the secrets it read.
 */
export function createRelay(options: RelayOptions): Relay {
  const { routes, deliverStatus } = options;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const now = options.now ?? Date.now;
  const webhookKeys = new WebhookKeys();

  function guard(request: WebhookRequest): Route {
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
    return route;
  }

  /** The asked-for route id as a log field: bounded, and only the characters a route id may have. */
  function askedRoute(request: WebhookRequest): string {
    return (request.routeId ?? '').slice(0, 64).replace(/[^a-z0-9-]/g, '?');
  }

  async function authenticate(route: Route, request: WebhookRequest, scope: SecretScope): Promise<void> {
    await webhookKeys.authenticate(route, request, scope);
  }

  /** The event's time orders it against every other: a stale or a future one is refused. */
  function eventTimeOf(route: Route, event: FluxEvent): number {
    const eventTime = Date.parse(event.timestamp);
    const age = now() - eventTime;
    if (route.maxEventAgeSeconds !== undefined && age > route.maxEventAgeSeconds * 1000) {
      throw new StaleEventError(
        `the event's timestamp ${event.timestamp} is older than this route's maxEventAgeSeconds (${route.maxEventAgeSeconds})`,
      );
    }
    if (-age > route.maxClockSkewSeconds * 1000) {
      throw new FutureEventError(
        `the event's timestamp ${event.timestamp} is ${Math.round(-age / 1000)} s ahead of this service's clock (the route allows ${route.maxClockSkewSeconds} s); check the cluster's clock`,
      );
    }
    return eventTime;
  }

  async function deliver(request: WebhookRequest, record: DeliveryRecord, scope: SecretScope) {
    const started = now();
    record.route = askedRoute(request);
    const route = guard(request);
    record.route = route.id;
    record.cluster = route.cluster ?? route.id;
    record.forge = route.provider.type;

    await authenticate(route, request, scope);
    const event = parseFluxEvent(request.body.toString('utf8'));
    const { kind, namespace, name } = event.involvedObject;
    record.object = `${kind}/${namespace ?? ''}/${name}`;
    record.eventTime = event.timestamp;
    const eventTime = eventTimeOf(route, event);

    const decision = decideStatus(event, route, await statusNameOf(route));
    if (decision.kind === 'skip') {
      record.outcome = 'skipped';
      record.reason = decision.reason;
      return jsonResponse(202, { outcome: 'skipped', skipped: decision.code, reason: decision.reason });
    }
    const status = forgeStatus(route, decision.status);
    await options.details?.attach(route, status, scope);
    Object.assign(record, summaryOf(route, status));
    if (status.targetUrl !== undefined) record.targetUrl = status.targetUrl;
    const comment = changeRequestComment(route, event, status);
    const preview = previewOf(normaliseMetadata(event.metadata));
    const facts = { route, status, event, eventTime, scope };
    if (route.dryRun) {
      const told = await options.details?.remember(facts);
      if (told !== undefined) record.details = told;
      record.outcome = 'dry-run';
      return jsonResponse(200, { outcome: 'dry-run', ...summaryOf(route, status) });
    }

    const deadline = forgeDeadline(started, request.deadline, options.budgetMs);
    try {
      // Before the forge: a page that the new status links to already shows its event. A store fault
      // queues the delivery as a ledger fault does (the queue's retry writes the status, not the page).
      const told = await options.details?.remember(facts);
      if (told !== undefined) record.details = told;
      record.outcome = await deliverStatus({
        route,
        status,
        eventTime,
        deadline,
        scope,
        record,
        object: { kind, namespace: namespace ?? '', name },
        ...(options.queue === undefined
          ? {}
          : { deferAfterMs: options.deferSpacingAfterMs ?? DEFER_SPACING_AFTER_MS }),
        ...(comment === undefined ? {} : { comment }),
        ...(preview === undefined ? {} : { preview }),
      });
      return jsonResponse(200, deliveredAnswer(route, status, record));
    } catch (error) {
      // Flux's 15 seconds may not be enough for a passing fault; the queue waits longer.
      if (!isPassingFault(error) || options.queue === undefined) throw error;
      // Flux would drop the event after its own retries; the queue keeps it until it is written.
      const reason = scope.redact(error.message);
      const queued = {
        routeId: route.id,
        eventTime,
        object: record.object,
        status: scope.redactFields(status),
        ...(comment === undefined ? {} : { comment: { ...comment, body: scope.redact(comment.body) } }),
        ...(preview === undefined ? {} : { preview: scope.redactFields(preview) }),
      };
      try {
        // A deferred write comes back when its slot is free; any other fault after the queue's backoff.
        await options.queue.enqueue(
          queued,
          reason,
          error instanceof WriteDeferredError ? Math.ceil(error.waitMs / 1000) : undefined,
        );
      } catch {
        // Without the hand-off the fault's own answer stands, and Flux retries on the 5xx.
        error.message = `${error.message}; the retry queue could not take it either`;
        throw error;
      }
      record.outcome = 'queued';
      record.reason = reason;
      return jsonResponse(202, { outcome: 'queued', queued: true, reason, ...summaryOf(route, status) });
    }
  }

  async function relay(request: WebhookRequest): Promise<JsonResponse> {
    return runAttempt(
      { ...options, now },
      { outcome: 'rejected', statusCode: 0, durationMs: 0 },
      {
        run: ({ record, scope }) => deliver(request, record, scope),
        failed: (error, { scope }) => errorResponse(error, scope.redact(error.message)),
        settle: (response, { record, scope }) => {
          record.statusCode = response.statusCode;
          // Answers quote the event's text, which may carry a secret; scrubbing covers its JSON escapes.
          return { ...response, body: scope.redact(response.body) };
        },
      },
    );
  }

  return relay;
}
