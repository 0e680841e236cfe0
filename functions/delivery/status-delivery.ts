import { randomUUID } from 'node:crypto';
import type { Route } from '../config/route-schema.js';
import type { ChangeRequestComment } from '../core/change-request-comment.js';
import type { CommitStatus } from '../core/commit-status.js';
import type { FluxObject } from '../core/flux-object.js';
import type { Preview } from '../core/preview.js';
import { namesStatusBySummary } from '../forges/registry.js';
import { MemoryLedger } from '../ledger/memory-ledger.js';
import { carriedOrder, ledgerKey, type ShownStatus, type StatusLedger } from '../ledger/status-ledger.js';
import { WRITE_GRACE_MS } from './budget.js';
import { commentDelivery } from './comment-delivery.js';
import type { DeliveryRecord } from './delivery-record.js';
import { type CreateForgeClient, ForgeClients } from './forge-clients.js';
import { KeyedSerializer } from './keyed-serializer.js';
import { deliverInOrder, type OrderedDelivery, type OrderedOutcome } from './ordering.js';
import type { SecretScope } from './secret-scope.js';

export interface StatusDeliveryOptions {
  /** The ledger every container shares; without one, this process's own. */
  ledger?: StatusLedger;
  /** The forge clients, shared with the fleet's roll-ups; without them, this delivery's own. */
  clients?: ForgeClients;
  /** The per-key serialiser of this process, shared with the fleet's roll-ups. */
  serializer?: KeyedSerializer;
  createClient?: CreateForgeClient;
  now?: () => number;
}

/** What a decided status needs to be written: where, when its event happened, and by when. */
export interface StatusJob {
  route: Route;
  status: CommitStatus;
  eventTime: number;
  deadline: number;
  scope: SecretScope;
  record: DeliveryRecord;
  /** The Flux object, for its environment's roll-up (functions/fleet/); a queued delivery may have none. */
  object?: FluxObject;
  /** A resolution's guard (see `OrderedDelivery.replaces`). */
  replaces?: OrderedDelivery['replaces'];
  /** A forge write that would wait longer than this for its spacing is deferred to the queue (WriteOptions). */
  deferAfterMs?: number;
  /**
   * A status for a commit that a deployment carried (functions/ranges/): it ranks below every event
   * of the commit's own (`carriedOrder`), and feeds no roll-up.
   */
  carried?: boolean;
  /**
   * A carried status on a fleet roll-up's context (functions/fleet/): the carried commit's roll-up
   * identity, written also when the route writes no cluster status. The roll-up's own writes there
   * are ordered by its sequence and this by `carriedOrder`, whose `-` sorts below them all: the two
   * numbers are never compared, only carried statuses' event times among themselves.
   */
  rollupIdentity?: string;
  /** The change request's comment of a route with `changeRequestComments`, for an event that names one. */
  comment?: ChangeRequestComment;
  /** The event's preview environment, for its fleet environment's deployment (functions/fleet/). */
  preview?: Preview;
}

/** `recorded`: a fleet cluster's verdict, stored for its roll-up (functions/fleet/), nothing written. */
export type DeliverStatus = (job: StatusJob) => Promise<OrderedOutcome | 'skipped' | 'recorded'>;

/**
 * The status identity on the forge: Azure DevOps names it by genre (the summary) as well, no other
 * forge does. Each part is bounded (`ledgerKey`).
 */
export function identityOf(route: Route, status: CommitStatus): string {
  const { type, apiUrl, address } = route.provider;
  const summary = namesStatusBySummary(type) ? (status.summary ?? '') : '';
  return ledgerKey([type, apiUrl ?? '', address, status.sha, status.context, summary]);
}

/** The status as the route's forge names it: without a `summary` that the forge does not read. */
export function forgeStatus(route: Route, status: CommitStatus): CommitStatus {
  if (status.summary === undefined || namesStatusBySummary(route.provider.type)) return status;
  const { summary: _, ...named } = status;
  return named;
}

/**
 * Writes a decided status in event order (see `ordering.ts`), for the webhook and the retry queue
 * alike. The forge's credentials are read first, so that none of them is quoted in what is written
 * or stored: a Flux message can carry one (a clone URL with a token in it).
 */
export function statusDelivery(options: StatusDeliveryOptions = {}): DeliverStatus {
  const ledger = options.ledger ?? new MemoryLedger();
  const clients = options.clients ?? new ForgeClients(options.createClient);
  const serializer = options.serializer ?? new KeyedSerializer();
  const now = options.now ?? Date.now;

  const comments = commentDelivery({ ledger, clients, serializer, now });

  const deliver: DeliverStatus = async (job) => {
    // Read first, so that the scope scrubs the forge's credentials from everything after.
    await clients.client(job.route, job.scope);
    const outcome =
      job.route.clusterStatuses || job.rollupIdentity !== undefined
        ? await deliverClusterStatus(job)
        : 'skipped';
    if (job.comment !== undefined) {
      const { route, comment, eventTime, deadline, scope } = job;
      job.record.comment = await comments({
        route,
        comment,
        state: job.status.state,
        eventTime,
        deadline,
        scope,
      });
    }
    return outcome;
  };
  return deliver;

  async function deliverClusterStatus({
    route,
    status: decided,
    eventTime,
    deadline,
    scope,
    record,
    replaces,
    deferAfterMs,
    carried,
    rollupIdentity,
  }: StatusJob) {
    const status = { ...decided, description: scope.redact(decided.description) };
    const shown: ShownStatus = {
      state: status.state,
      description: status.description,
      targetUrl: status.targetUrl ?? '',
    };
    const key = rollupIdentity ?? identityOf(route, status);
    return serializer.run(key, () =>
      deliverInOrder({
        ledger,
        key,
        eventTime,
        status: shown,
        ...(carried ? { order: carriedOrder(eventTime, shown) } : {}),
        writerId: randomUUID(),
        writeExpiresAt: deadline + WRITE_GRACE_MS,
        now,
        ...(replaces === undefined ? {} : { replaces }),
        write: async (target, forgeShows) => {
          // The target may be a newer claim of another delivery: the same identity, its own text.
          const written: CommitStatus = { ...status, state: target.state, description: target.description };
          if (target.targetUrl === '') delete written.targetUrl;
          else written.targetUrl = target.targetUrl;
          const result = await clients.write(
            route,
            written,
            // A carried commit is newly deployed and got no event: the forge's list of its statuses
            // (on a fleet, a thousand contexts, read page by page) could hold none of this context.
            {
              deadline,
              checkForge: forgeShows === undefined && carried !== true,
              ...(deferAfterMs === undefined ? {} : { deferAfterMs }),
            },
            scope,
          );
          if (result.forgeStatus !== undefined) record.forgeStatus = result.forgeStatus;
          return result.outcome;
        },
      }),
    );
  }
}
