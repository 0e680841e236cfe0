import { randomUUID } from 'node:crypto';
import type { Route } from '../config/route-schema.js';
import type { ChangeRequestComment } from '../core/change-request-comment.js';
import type { CommitStatus } from '../core/commit-status.js';
import type { FluxObject } from '../core/flux-object.js';
import type { Preview } from '../core/preview.js';
import { namesStatusBySummary } from '../forges/registry.js';
import { carriedOrder, ledgerKey, type ShownStatus, type StatusLedger } from '../ledger/status-ledger.js';
import { WRITE_GRACE_MS } from './budget.js';
import type { DeliveryRecord } from './delivery-record.js';
import type { ForgeClients } from './forge-clients.js';
import type { KeyedSerializer } from './keyed-serializer.js';
import { deliverInOrder, type OrderedDelivery, type OrderedOutcome } from './ordering.js';
import type { SecretScope } from './secret-scope.js';

export interface StatusDeliveryOptions {
  /** The ledger every container shares, or this process's own. */
  ledger: StatusLedger;
  /** The forge clients, shared with the comments and the fleet's roll-ups. */
  clients: ForgeClients;
  /** The per-key serialiser of this process, shared with the comments and the fleet's roll-ups. */
  serializer: KeyedSerializer;
  now: () => number;
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

/** A cluster status's outcome, and the forge's answer to its last write, for the record. */
export interface ClusterStatusResult {
  outcome: OrderedOutcome;
  forgeStatus?: number;
}

/**
 * Writes a route's own status of a decided event in event order (see `ordering.ts`), for the
 * webhook, the retry queue, the pending resolutions and the carried commits alike. The forge's
 * credentials are in the scope already (the pipeline's first step), so that none of them is quoted
 * in what is written or stored: a Flux message can carry one (a clone URL with a token in it).
 */
export function createClusterStatusDelivery(options: StatusDeliveryOptions) {
  const { ledger, clients, serializer, now } = options;

  return async ({
    route,
    status: decided,
    eventTime,
    deadline,
    scope,
    replaces,
    deferAfterMs,
    carried,
    rollupIdentity,
  }: StatusJob): Promise<ClusterStatusResult> => {
    const status = { ...decided, description: scope.redact(decided.description) };
    const shown: ShownStatus = {
      state: status.state,
      description: status.description,
      targetUrl: status.targetUrl ?? '',
    };
    const key = rollupIdentity ?? identityOf(route, status);
    // The forge's answer to the last write this delivery made, when it made one.
    let forgeStatus: number | undefined;
    const outcome = await serializer.run(key, () =>
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
          if (result.forgeStatus !== undefined) forgeStatus = result.forgeStatus;
          return result.outcome;
        },
      }),
    );
    return forgeStatus === undefined ? { outcome } : { outcome, forgeStatus };
  };
}
