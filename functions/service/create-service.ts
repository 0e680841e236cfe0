import type { DetailsPageSettings } from '../config/environment-config.js';
import type { FleetEnvironment } from '../config/fleet-environments.js';
import type { Route } from '../config/route-schema.js';
import { createCommentDelivery } from '../delivery/comment-delivery.js';
import type { DeliveryRecord, ObserveDelivery } from '../delivery/delivery-record.js';
import type { CreateForgeClient } from '../delivery/forge-clients.js';
import { ForgeClients } from '../delivery/forge-clients.js';
import { KeyedSerializer } from '../delivery/keyed-serializer.js';
import { createRedelivery, deadLetterRecord } from '../delivery/redelivery.js';
import { createClusterStatusDelivery, type StatusJob } from '../delivery/status-delivery.js';
import type { DetailsLinks } from '../details/details-links.js';
import { createClusterReports } from '../fleet/cluster-report.js';
import { createFleetReport } from '../fleet/fleet-report.js';
import { InProcessRecomputes } from '../fleet/in-process-recomputes.js';
import type { RecomputeQueue } from '../fleet/recompute-request.js';
import { createRecomputeRunner, type RunRecompute, recomputeRecord } from '../fleet/recompute-runner.js';
import { createRollupDelivery } from '../fleet/rollup-delivery.js';
import { createRollupPages } from '../fleet/rollup-page.js';
import { rollupTargets } from '../fleet/rollup-place.js';
import type { ClusterVerdicts } from '../ledger/cluster-verdicts.js';
import type { DeploymentHistoryStore } from '../ledger/deployment-history.js';
import type { DetailsStore } from '../ledger/details-store.js';
import { MemoryClusterVerdicts } from '../ledger/memory-cluster-verdicts.js';
import { MemoryDeploymentHistory } from '../ledger/memory-deployment-history.js';
import { MemoryLedger } from '../ledger/memory-ledger.js';
import { MemoryPendingIndex } from '../ledger/memory-pending-index.js';
import { MemoryRollupLedger } from '../ledger/memory-rollup-ledger.js';
import type { PendingIndex } from '../ledger/pending-index.js';
import type { RollupLedger } from '../ledger/rollup-ledger.js';
import type { StatusLedger } from '../ledger/status-ledger.js';
import { createPendingSweep, type PendingSweep } from '../pending/sweep.js';
import { createPendingTracking } from '../pending/track-pending.js';
import type { DeliveryQueue, QueuedDelivery, Redeliver } from '../queue/delivery-queue.js';
import { type CarriedRange, createRangeTracking } from '../ranges/track-ranges.js';
import type { SecretSource } from '../secrets/secret-source.js';
import { type ApiGatewayHandler, createApiGatewayHandler } from '../webhook/api-gateway-handler.js';
import type { DetailsPage, DetailsPageOptions } from '../webhook/details-page.js';
import { createDetailsService } from '../webhook/details-service.js';
import { createRelay, type Relay } from '../webhook/relay.js';
import { createDeliveryPipeline } from './delivery-pipeline.js';

/** The details pages of a config with `detailsPage`: its settings, its store and the links' origin. */
export interface DetailsPageParts {
  settings: DetailsPageSettings;
  store: DetailsStore;
  /** The links' origin when the config names none: the stack's value, or the local server's address. */
  baseUrl: () => string | undefined;
  observe?: DetailsPageOptions['observe'];
}

/**
 * What the Lambda, the local server, the bench and the tests pass: the config's routes and
 * environments, the secret source, and which stores and queues; every store defaults to this
 * process's own.
 */
export interface ServiceOptions {
  routes: readonly Route[];
  secrets: SecretSource;
  observe: ObserveDelivery;
  /** The config's fleet environments (`environments`), whose roll-ups the routes report to. */
  environments?: Readonly<Record<string, FleetEnvironment>>;
  /** The ledger every container shares; without it, this process's own keeps the order. */
  ledger?: StatusLedger;
  /** The roll-up records every container shares; without it, this process's own. */
  rollups?: RollupLedger;
  /** The fleet clusters' verdicts every container shares; without it, this process's own. */
  clusters?: ClusterVerdicts;
  /** The pending statuses every container shares (functions/pending/); without it, this process's own. */
  pending?: PendingIndex;
  /** The commits each object settled on (functions/ranges/); without it, this process's own. */
  history?: DeploymentHistoryStore;
  /**
   * Where a changed verdict asks for its roll-up's recompute: the FIFO queue on AWS; without it,
   * this process's serialiser runs the recompute (`recomputes` of the service).
   */
  recomputes?: RecomputeQueue;
  /** The in-process recompute queue's wait before a failed recompute's next attempt. */
  recomputeRetryMs?: number;
  /**
   * Where a delivery goes when the forge or the ledger still fails at the end of the budget: SQS,
   * whose consumer is the Lambda's queue event, or a queue made with its consumer (the redelivery).
   */
  queue?: DeliveryQueue | ((redeliver: Redeliver) => DeliveryQueue);
  /** With a queue: a forge write held longer than this by GitHub's write spacing is queued with that delay instead. */
  deferSpacingAfterMs?: number;
  maxBodyBytes?: number;
  /** The forge's time when the invocation leaves more: 9 s, as Flux waits 15 s in all. */
  budgetMs?: number;
  now?: () => number;
  /** The forge client factory; tests wrap it to interleave forge calls. */
  createClient?: CreateForgeClient;
  /** The details pages of a config with `detailsPage`: links on the statuses, and the GET page. */
  detailsPage?: DetailsPageParts;
  /** Links made elsewhere (tests), in place of `detailsPage`'s. */
  details?: DetailsLinks;
  /** The promotion webhook's fetch; public https by default, a loopback receiver's in tests. */
  promotionFetch?: typeof fetch;
}

export interface Service {
  relay: Relay;
  /** The relay and the details page behind API Gateway's event. */
  onApiGateway: ApiGatewayHandler;
  redeliver: Redeliver;
  sweep: PendingSweep;
  /** One recompute of a roll-up, for the FIFO queue's consumer. */
  recompute: RunRecompute;
  /** The in-process recompute queue, when no other was given. */
  recomputes?: InProcessRecomputes;
  /** The retry queue the service hands off to, when it has one. */
  queue?: DeliveryQueue;
  /** The details page behind its GET route (a function of its own on AWS). */
  detailsPage?: DetailsPage;
  /** The log record of a delivery that left the retry queue unwritten. */
  deadLetterRecord: (reason: string, delivery: QueuedDelivery | undefined, attempt: number) => DeliveryRecord;
}

/**
 * The one composition root: the stores' defaults, the forge clients and the per-key serialiser they
 * share, the delivery that follows a decided status, the retry queue's redelivery and the queue,
 * the relay, the pending sweep, the roll-ups' recompute and the details pages. The Lambda handler,
 * the local server, the bench and the tests differ only in the stores, queues and secrets they pass.
 */
export function createService(options: ServiceOptions): Service {
  const routes = new Map(options.routes.map((route) => [route.id, route]));
  const now = options.now ?? Date.now;
  const pending = options.pending ?? new MemoryPendingIndex();
  const ledger = options.ledger ?? new MemoryLedger();
  const clients = new ForgeClients(options.createClient);
  const serializer = new KeyedSerializer();
  const targets = rollupTargets(options.routes, options.environments ?? {});
  const clusters = options.clusters ?? new MemoryClusterVerdicts();
  const rollupRecords = options.rollups ?? new MemoryRollupLedger();
  const budget = options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs };
  const detailsService =
    options.detailsPage === undefined
      ? undefined
      : createDetailsService(options.detailsPage.settings, {
          secrets: options.secrets,
          store: options.detailsPage.store,
          baseUrl: options.detailsPage.baseUrl,
          routes: options.routes,
          ...(options.detailsPage.observe === undefined ? {} : { observe: options.detailsPage.observe }),
          // A roll-up's page reads the stores the roll-ups are written to, when it is opened.
          rollupPage: createRollupPages({ clusters, rollups: rollupRecords, targets }),
          ...(options.now === undefined ? {} : { now: options.now }),
        });
  const details = options.details ?? detailsService?.links;

  // A queue made with its consumer comes after the redelivery; what hands off to it reaches it here.
  let queue = typeof options.queue === 'function' ? undefined : options.queue;
  const handOff: DeliveryQueue | undefined =
    options.queue === undefined
      ? undefined
      : { enqueue: (...delivery) => (queue as DeliveryQueue).enqueue(...delivery) };
  const history = options.history ?? new MemoryDeploymentHistory();
  const rollups = createRollupDelivery({
    ledger,
    rollups: rollupRecords,
    clusters,
    clients,
    serializer,
    now,
    routes,
    targets,
    pending,
    history,
    ...(handOff === undefined ? {} : { queue: handOff }),
    ...(options.promotionFetch ? { promotionFetch: options.promotionFetch } : {}),
    ...(details === undefined ? {} : { details }),
  });
  const recompute = createRecomputeRunner({
    recompute: rollups.recompute,
    secrets: options.secrets,
    observe: options.observe,
    now,
    ...budget,
  });
  const inProcess =
    options.recomputes === undefined
      ? new InProcessRecomputes((request) => recompute(request), {
          ...(options.recomputeRetryMs === undefined ? {} : { retryDelayMs: options.recomputeRetryMs }),
          onGiveUp: (reason, request) =>
            options.observe({ ...recomputeRecord(request, 'dead-lettered'), reason }),
        })
      : undefined;
  // The resolutions and the carried commits go through the pipeline too: its later steps pass them over.
  const resolver = {
    index: pending,
    deliverStatus: (job: StatusJob) => deliverStatus(job),
    details,
    resolveRollup: rollups.resolve,
    secrets: options.secrets,
    observe: options.observe,
    now,
  };
  const deliverStatus = createDeliveryPipeline({
    clients,
    reportToFleet: createFleetReport(
      targets,
      createClusterReports({
        clusters,
        recomputes: options.recomputes ?? (inProcess as InProcessRecomputes),
      }),
    ),
    writeClusterStatus: createClusterStatusDelivery({ ledger, clients, serializer, now }),
    writeComment: createCommentDelivery({ ledger, clients, serializer, now }),
    // Pending commits are resolved first: a commit resolved as superseded keeps that one status, as
    // its own ranks above the status the range would give it.
    trackPending: createPendingTracking(resolver),
    trackRange: createRangeTracking({
      history,
      clients,
      deliverStatus: (job) => deliverStatus(job),
      queue: handOff,
      ...(details === undefined
        ? {}
        : {
            remember: (job: StatusJob, range: CarriedRange) =>
              details.rememberCarried(job.route, job.status, range),
          }),
      now,
    }),
  });
  const redeliver = createRedelivery({
    routes,
    secrets: options.secrets,
    deliverStatus,
    observe: options.observe,
    now,
    ...budget,
  });
  if (typeof options.queue === 'function') queue = options.queue(redeliver);
  const relay = createRelay({
    routes,
    secrets: options.secrets,
    observe: options.observe,
    deliverStatus,
    now,
    ...budget,
    ...(details === undefined ? {} : { details }),
    ...(handOff === undefined ? {} : { queue: handOff }),
    ...(options.deferSpacingAfterMs === undefined
      ? {}
      : { deferSpacingAfterMs: options.deferSpacingAfterMs }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });
  return {
    relay,
    onApiGateway: createApiGatewayHandler(relay, now, detailsService?.page),
    redeliver,
    sweep: createPendingSweep({ ...resolver, routes }),
    recompute,
    ...(inProcess === undefined ? {} : { recomputes: inProcess }),
    ...(queue === undefined ? {} : { queue }),
    ...(detailsService === undefined ? {} : { detailsPage: detailsService.page }),
    deadLetterRecord: (reason, delivery, attempt) => deadLetterRecord(reason, delivery, attempt, routes),
  };
}
