import type { Route } from '../config/route-schema.js';
import { isPassingFault, RouteNotFoundError } from '../core/errors.js';
import { type FluxObject, parseObject } from '../core/flux-object.js';
import { statusOf } from '../core/http-response.js';
import type { QueuedDelivery, Redeliver } from '../queue/delivery-queue.js';
import type { SecretSource } from '../secrets/secret-source.js';
import { forgeDeadline } from './budget.js';
import { type DeliveryRecord, type ObserveDelivery, recordFailure } from './delivery-record.js';
import { SecretScope } from './secret-scope.js';
import type { DeliverStatus } from './status-delivery.js';

export interface RedeliveryOptions {
  routes: ReadonlyMap<string, Route>;
  secrets: SecretSource;
  deliverStatus: DeliverStatus;
  observe: ObserveDelivery;
  now: () => number;
  budgetMs?: number;
}

/** The record of a queued delivery, with every field its log line shares with the webhook's. */
export function queuedRecord(
  delivery: QueuedDelivery,
  route: Route | undefined,
  attempt: number,
): DeliveryRecord {
  const { sha, context, state, description } = delivery.status;
  const record: DeliveryRecord = {
    outcome: 'failed',
    statusCode: 0,
    durationMs: 0,
    attempt,
    route: delivery.routeId,
    sha,
    context,
    state,
    description,
    eventTime: new Date(delivery.eventTime).toISOString(),
  };
  if (delivery.object !== undefined) record.object = delivery.object;
  if (route !== undefined) {
    record.cluster = route.cluster ?? route.id;
    record.forge = route.provider.type;
  }
  return record;
}

function objectOf(delivery: QueuedDelivery): { object?: FluxObject } {
  const object = parseObject(delivery.object);
  return object === undefined ? {} : { object };
}

/**
 * One attempt at a queued delivery. Written, or found not needed (a newer event is on the forge),
 * is done; a passing fault is retried by the queue (logged `retrying`, with the next attempt's time);
 * anything else, or a passing fault on the last attempt, is final (logged `failed`), and the queue
 * moves the message to the dead-letter queue with its reason. Nothing is dropped on the way.
 */
export function redelivery(options: RedeliveryOptions): Redeliver {
  return async (delivery, attempt, plan, invocationDeadline) => {
    const started = options.now();
    const route = options.routes.get(delivery.routeId);
    const record = queuedRecord(delivery, route, attempt);
    const scope = new SecretScope(options.secrets);
    let result: Awaited<ReturnType<Redeliver>>;
    try {
      if (route === undefined) {
        throw new RouteNotFoundError(`the queued delivery names route ${delivery.routeId}, which is gone`);
      }
      record.outcome = await options.deliverStatus({
        route,
        status: delivery.status,
        eventTime: delivery.eventTime,
        deadline: forgeDeadline(started, invocationDeadline, options.budgetMs),
        scope,
        record,
        // A carried status feeds no roll-up and no pending entry: it goes without its object.
        ...(delivery.carried === true ? { carried: true } : objectOf(delivery)),
        ...(delivery.rollupIdentity === undefined ? {} : { rollupIdentity: delivery.rollupIdentity }),
        ...(delivery.comment === undefined ? {} : { comment: delivery.comment }),
        ...(delivery.preview === undefined ? {} : { preview: delivery.preview }),
      });
      record.statusCode = 200;
      result = { kind: 'done' };
    } catch (caught) {
      const error = recordFailure(caught, record);
      record.statusCode = statusOf(error);
      record.maxAttempts = plan.maxAttempts;
      const reason = scope.redact(error.message);
      result = isPassingFault(error) ? { kind: 'retry', reason } : { kind: 'final', reason };
      if (result.kind === 'retry' && attempt < plan.maxAttempts) {
        // Not a failure yet: the queue tries again, and only a final outcome raises the alarm.
        record.outcome = 'retrying';
        record.nextAttemptAt = new Date(options.now() + plan.delayMs).toISOString();
      } else {
        // A final refusal, or the last attempt: the queue moves it to the dead-letter queue now.
        record.outcome = 'failed';
      }
    }
    record.durationMs = options.now() - started;
    options.observe(scope.redactFields(record));
    return result;
  };
}

/**
 * The log line of a delivery that left the queue unwritten, with the same fields as every other
 * delivery's (route, cluster, object, forge, statusCode, error, reason), so that the saved query
 * shows it whole.
 */
export function deadLetterRecord(
  reason: string,
  delivery: QueuedDelivery | undefined,
  attempt: number,
  routes: ReadonlyMap<string, Route>,
): DeliveryRecord {
  const base: DeliveryRecord =
    delivery === undefined
      ? { outcome: 'dead-lettered', statusCode: 0, durationMs: 0, attempt }
      : queuedRecord(delivery, routes.get(delivery.routeId), attempt);
  return { ...base, outcome: 'dead-lettered', statusCode: 0, error: 'dead-lettered', reason };
}
