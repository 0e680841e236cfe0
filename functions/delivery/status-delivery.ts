import { randomUUID } from 'node:crypto';
import type { Route } from '../config/route-schema.js';
import type { ChangeRequestComment } from '../core/change-request-comment.js';
import type { CommitStatus } from '../core/commit-status.js';
import type { FluxObject } from '../core/flux-object.js';
import { type RollupDelivery, type RollupTarget, rollupDelivery } from '../environments/rollup-delivery.js';
import { namesStatusBySummary } from '../forges/registry.js';
import { MemoryLedger } from '../ledger/memory-ledger.js';
import { MemoryRollupLedger } from '../ledger/memory-rollup-ledger.js';
import type { PendingIndex } from '../ledger/pending-index.js';
import type { RollupLedger } from '../ledger/rollup-ledger.js';
import { ledgerKey, type ShownStatus, type StatusLedger } from '../ledger/status-ledger.js';
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
  /** The roll-up records of fleet environments; without one, this process's own. */
  rollups?: RollupLedger;
  /** The fleet environments by name, for routes that name one. */
  targets?: ReadonlyMap<string, RollupTarget>;
  /** Where pending roll-ups wait for a newer commit or the sweep (functions/pending/). */
  pending?: PendingIndex;
  createClient?: CreateForgeClient;
  now?: () => number;
  /** The promotion webhook's fetch (`rollupDelivery`); public https by default. */
  promotionFetch?: typeof fetch;
}

/** What a decided status needs to be written: where, when its event happened, and by when. */
export interface StatusJob {
  route: Route;
  status: CommitStatus;
  eventTime: number;
  deadline: number;
  scope: SecretScope;
  record: DeliveryRecord;
  /** The Flux object, for its environment's roll-up; a delivery queued without one has none. */
  object?: FluxObject;
  /** A resolution's guard (see `OrderedDelivery.replaces`). */
  replaces?: OrderedDelivery['replaces'];
  /** The change request's comment of a route with `changeRequestComments`, for an event that names one. */
  comment?: ChangeRequestComment;
}

export type DeliverStatus = (job: StatusJob) => Promise<OrderedOutcome | 'skipped'>;

export interface StatusDelivery {
  deliver: DeliverStatus;
  /** Resolves a pending roll-up's index entry (the sweep's part: see `rollupDelivery`). */
  resolveRollup: RollupDelivery['resolve'];
}

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
export function statusDelivery(options: StatusDeliveryOptions = {}): StatusDelivery {
  const ledger = options.ledger ?? new MemoryLedger();
  const clients = new ForgeClients(options.createClient);
  const serializer = new KeyedSerializer();
  const now = options.now ?? Date.now;
  const targets = options.targets ?? new Map<string, RollupTarget>();
  const rollups = rollupDelivery({
    ledger,
    rollups: options.rollups ?? new MemoryRollupLedger(),
    clients,
    serializer,
    now,
    targets,
    ...(options.pending === undefined ? {} : { pending: options.pending }),
    ...(options.promotionFetch === undefined ? {} : { promotionFetch: options.promotionFetch }),
  });

  const comments = commentDelivery({ ledger, clients, serializer, now });

  const deliver: DeliverStatus = async (job) => {
    // Read first, so that the scope scrubs the forge's credentials from everything after.
    await clients.client(job.route, job.scope);
    const target = job.route.environment === undefined ? undefined : targets.get(job.route.environment);
    const outcome = job.route.clusterStatuses ? await deliverClusterStatus(job) : 'skipped';
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
    if (target === undefined || job.object === undefined) return outcome;
    const { route, eventTime, deadline, scope, record } = job;
    const status = { ...job.status, description: scope.redact(job.status.description) };
    const rollup = await rollups.deliver({
      route,
      target,
      object: job.object,
      status,
      eventTime,
      deadline,
      scope,
    });
    if (rollup === undefined) return outcome;
    record.rollup = { ...rollup, description: scope.redact(rollup.description) };
    return job.route.clusterStatuses ? outcome : rollup.outcome;
  };
  return { deliver, resolveRollup: rollups.resolve };

  async function deliverClusterStatus({
    route,
    status: decided,
    eventTime,
    deadline,
    scope,
    record,
    replaces,
  }: StatusJob) {
    const status = { ...decided, description: scope.redact(decided.description) };
    const shown: ShownStatus = {
      state: status.state,
      description: status.description,
      targetUrl: status.targetUrl ?? '',
    };
    const key = identityOf(route, status);
    return serializer.run(key, () =>
      deliverInOrder({
        ledger,
        key,
        eventTime,
        status: shown,
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
            { deadline, checkForge: forgeShows === undefined },
            scope,
          );
          if (result.forgeStatus !== undefined) record.forgeStatus = result.forgeStatus;
          return result.outcome;
        },
      }),
    );
  }
}
