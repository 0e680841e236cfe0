import { randomUUID } from 'node:crypto';
import { deploymentSettings, rangeLimitOf } from '../config/fleet-environments.js';
import type { Route } from '../config/route-schema.js';
import type { CommitStatus } from '../core/commit-status.js';
import { CONFLICT, compareAndSwap } from '../core/compare-and-swap.js';
import { formatDuration } from '../core/duration.js';
import { RouteMisconfiguredError } from '../core/errors.js';
import { type FluxObject, objectName, parseObject } from '../core/flux-object.js';
import type { Preview } from '../core/preview.js';
import { WRITE_GRACE_MS } from '../delivery/budget.js';
import { createCommentDelivery } from '../delivery/comment-delivery.js';
import type { DeliveryRecord } from '../delivery/delivery-record.js';
import type { ForgeClients } from '../delivery/forge-clients.js';
import type { KeyedSerializer } from '../delivery/keyed-serializer.js';
import { deliverInOrder, type OrderedOutcome } from '../delivery/ordering.js';
import type { SecretScope } from '../delivery/secret-scope.js';
import {
  createClusterStatusDelivery,
  type DeliverStatus,
  type StatusJob,
} from '../delivery/status-delivery.js';
import type { DetailsLinks } from '../details/details-links.js';
import type { ClusterVerdicts, StoredVerdict } from '../ledger/cluster-verdicts.js';
import type { DeploymentHistoryStore } from '../ledger/deployment-history.js';
import type { PendingEntry, PendingIndex } from '../ledger/pending-index.js';
import { type RollupLedger, type RollupRecord, rollupSequence } from '../ledger/rollup-ledger.js';
import { eventOrder, isCarriedOrder, type StatusLedger } from '../ledger/status-ledger.js';
import { ledgerCall } from '../ledger/store-call.js';
import { changeEntries, without, withPending, withVerdict } from '../pending/pending-entries.js';
import { rollupPendingKey } from '../pending/rollup-pending-key.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import { type CarriedRange, markRange } from '../ranges/track-ranges.js';
import { createDeploymentDelivery } from './deployment-delivery.js';
import { shownDescription } from './forge-description.js';
import { type PromotionOutcome, promoteOnce, type SendPromotion } from './promotion.js';
import { createRepositoryDispatchSender, createSignedWebhookSender } from './promotion-senders.js';
import type { RecomputeRequest } from './recompute-request.js';
import {
  clustersWithoutVerdict,
  type Rollup,
  rollupOf,
  rollupOfRecord,
  someOf,
  verdictsDigest,
} from './rollup.js';
import { deliverRollupComment } from './rollup-comment.js';
import {
  environmentsWithPages,
  type RollupTarget,
  recordKeyOf,
  rollupHistoryKey,
  rollupIdentityOf,
  rollupKeyOf,
} from './rollup-place.js';
import { resolveRecord } from './verdict-record.js';

export interface RollupResult {
  context: string;
  state: Rollup['state'];
  description: string;
  /** The roll-up's place in its own order (`rollupSequence`). */
  sequence: number;
  outcome: OrderedOutcome;
  deployment?: OrderedOutcome;
  /** The change request's comment of an environment with `changeRequestComments`. */
  comment?: OrderedOutcome;
  promotion?: PromotionOutcome;
  /** The commits this roll-up's final verdict carried, the first time it turned final (functions/ranges/). */
  range?: DeliveryRecord['range'];
  /** Why the range was not (wholly) marked, when it was not. */
  rangeReason?: string;
}

export interface RollupDeliveryOptions {
  ledger: StatusLedger;
  rollups: RollupLedger;
  clusters: ClusterVerdicts;
  clients: ForgeClients;
  serializer: KeyedSerializer;
  now: () => number;
  /** The routes by id: a request names the route whose forge the roll-up is written to. */
  routes: ReadonlyMap<string, Route>;
  /** The fleet environments by name. */
  targets: ReadonlyMap<string, RollupTarget>;
  /** Where a pending roll-up waits for its sweep or for a newer commit (functions/pending/). */
  pending?: PendingIndex;
  /** The promotion webhook's fetch; tests give one that reaches a loopback receiver. */
  promotionFetch?: typeof fetch;
  /** What each environment's roll-ups settled on, for their ranges (`rangeStatuses`); none without it. */
  history?: DeploymentHistoryStore;
  /** Where the carried statuses go that a recompute's deadline leaves unwritten. */
  queue?: DeliveryQueue;
  /** The details pages' links: a roll-up of an environment whose routes all have pages links its own. */
  details?: DetailsLinks;
}

/** Where one roll-up lives: its route (for the forge), environment, object, commit and keys. */
interface RollupPlace {
  route: Route;
  target: RollupTarget;
  object: FluxObject;
  context: string;
  rollup: string;
  sha: string;
  ref?: string | undefined;
  deadline: number;
  scope: SecretScope;
  /** Set by the FIFO consumer: a write held longer by GitHub's spacing throws WriteDeferredError. */
  deferAfterMs?: number | undefined;
  /** The reports' preview environment, for the deployment; a sweep's resolution has none. */
  preview?: Preview | undefined;
}

/** What one recompute read: the record it advanced, and every cluster's verdict. */
interface Snapshot {
  record: RollupRecord;
  verdicts: Record<string, StoredVerdict>;
}

/**
 * The roll-up's one writer, run per roll-up one at a time (an SQS FIFO message group on AWS, the
 * process's serialiser locally): it advances the roll-up's record (its sequence), reads every
 * cluster's verdict (one strongly consistent query), computes the roll-up, and writes it through
 * the ordering protocol under the roll-up's own identity, ordered by that sequence; then the
 * deployment status and, when it is success, the promotion, once.
 *
 * The record is read before the query and swapped after it, so a recompute with a later sequence
 * read its verdicts later: a consumer that stalls past its visibility timeout beside a second one
 * carries the older sequence, and the ordering protocol keeps its write from standing. The
 * description is compared as the forge shows it (after its cut), so a fleet-wide failure is
 * written once per state, not once per failing cluster.
 */
export function createRollupDelivery(options: RollupDeliveryOptions) {
  const { ledger, rollups, clusters, clients, serializer, now } = options;
  const deliverDeployment = createDeploymentDelivery(options);
  // A carried status is a plain ordered write under the carried commit's roll-up identity; the
  // route's credentials are in the scope already (the range read the forge with them).
  const writeStatus = createClusterStatusDelivery({ ledger, clients, serializer, now });
  const deliverCarried: DeliverStatus = async (job) => (await writeStatus(job)).outcome;
  const comments = createCommentDelivery(options);
  const withPages = environmentsWithPages(options.routes.values());

  /** A requested recompute; undefined when its route or environment is no longer in the config. */
  async function recompute(
    request: RecomputeRequest,
    deadline: number,
    scope: SecretScope,
    deferAfterMs?: number,
  ): Promise<RollupResult | undefined> {
    const route = options.routes.get(request.routeId);
    const target = options.targets.get(request.environment);
    const object = parseObject(request.object);
    if (route === undefined || target === undefined || object === undefined) return undefined;
    const rollup = rollupKeyOf(route, request.sha, target.name, request.context);
    const place = {
      route,
      target,
      object,
      context: request.context,
      rollup,
      sha: request.sha,
      deadline,
      scope,
      deferAfterMs,
    };
    const result = await writeRollup({ ...place, ref: request.ref, preview: request.preview });
    return result;
  }

  /** Advances the record past every earlier recompute, with the verdicts read in between. */
  function snapshot(place: RollupPlace): Promise<Snapshot> {
    const key = recordKeyOf(place.rollup);
    return compareAndSwap('the roll-up record', async () => {
      const current = await ledgerCall(() => rollups.read(key));
      const verdicts = await ledgerCall(() => clusters.query(place.rollup));
      const record: RollupRecord = {
        ...(current ?? (await anew(place))),
        version: (current?.version ?? 0) + 1,
      };
      const { contradicted } = rollupOfRecord(place.target.clusters, verdicts, record.resolution);
      // News that contradicts a resolution ends it for good: the verdicts count again from here.
      if (contradicted) delete record.resolution;
      return (await ledgerCall(() => rollups.swap(key, current?.version, record)))
        ? { record, verdicts }
        : CONFLICT;
    });
  }

  /**
   * A record made anew (the old one expired, or left the memory store) starts after every sequence
   * the roll-up's status was written with, and inherits a promotion its status shows was earned (a
   * success that no resolution made, by the claim's own mark): the signal is not sent a second time
   * for a commit that was green before.
   */
  async function anew(place: RollupPlace): Promise<Omit<RollupRecord, 'version'>> {
    const read = await ledgerCall(() => ledger.read(rollupIdentityOf(place.rollup)));
    // A status a newer commit's roll-up carried here holds an event time, not this roll-up's sequence.
    const item = read === undefined || isCarriedOrder(read.claim.order) ? undefined : read;
    const createdAt = Math.max(now(), Math.floor((item?.claim.eventTime ?? 0) / 1000) + 1);
    if (item?.claim.status.state !== 'success' || item.claim.resolved === true) return { createdAt };
    return { createdAt, promotion: { state: 'sent', at: createdAt } };
  }

  async function writeRollup(place: RollupPlace): Promise<RollupResult> {
    const { route, target, object, context, sha, ref, deadline, scope, deferAfterMs } = place;
    // The route's forge credentials into the scope first: the comment and the deployment quote
    // reports' text even when the roll-up's own write is a duplicate that makes no client.
    await clients.client(route, scope);
    const { record, verdicts } = await snapshot(place);
    const sequence = rollupSequence(record);
    const rollup = rollupOfRecord(target.clusters, verdicts, record.resolution, target.environment.counts);
    const identity = rollupIdentityOf(place.rollup);
    const shown = {
      state: rollup.state,
      description: shownDescription(route.provider.type, scope.redact(rollup.description)),
      // A resolution's link (the newer commit) stands; otherwise the roll-up's page, when it has one.
      targetUrl: rollup.targetUrl === '' ? await pageLink(place, identity) : rollup.targetUrl,
    };
    const written: CommitStatus = { sha, context, state: shown.state, description: shown.description };
    if (ref !== undefined) written.ref = ref;
    const outcome = await serializer.run(identity, () =>
      deliverInOrder({
        ledger,
        key: identity,
        eventTime: sequence,
        status: shown,
        resolved: rollup.resolved,
        writerId: randomUUID(),
        writeExpiresAt: deadline + WRITE_GRACE_MS,
        now,
        write: async (target, forgeShows) => {
          const status: CommitStatus = { ...written, state: target.state, description: target.description };
          if (target.targetUrl !== '') status.targetUrl = target.targetUrl;
          const result = await clients.write(
            route,
            status,
            {
              deadline,
              checkForge: forgeShows === undefined,
              ...(deferAfterMs === undefined ? {} : { deferAfterMs }),
            },
            scope,
          );
          return result.outcome;
        },
      }),
    );
    const result: RollupResult = {
      context,
      state: rollup.state,
      description: shown.description,
      sequence,
      outcome,
    };
    if (options.pending !== undefined && !rollup.resolved) {
      await track(options.pending, place, result, newestEventTime(verdicts));
    }
    // Last, after the deployment and the promotion: the carried statuses may take the rest of the
    // deadline (what it leaves goes to the queue), and a commit's own signals come first.
    const withRange = async () => {
      if (!rollup.resolved && (rollup.state === 'success' || rollup.state === 'failure')) {
        const verdict = { ...written, ...(shown.targetUrl === '' ? {} : { targetUrl: shown.targetUrl }) };
        const eventTime = newestEventTime(verdicts);
        await markRollupRange(place, verdict, { eventTime, order: eventOrder(eventTime, shown) }, result);
      }
      return result;
    };
    const settings = deploymentSettings(target.environment);
    // A superseded commit is not what runs there: its deployment is left to GitHub's auto_inactive.
    if (settings !== undefined && !(rollup.resolved && rollup.state === 'success')) {
      // Before the promotion: GitHub's environment page shows the success that the signal announces.
      result.deployment = await deliverDeployment({
        route,
        environment: target.name,
        settings,
        context,
        rollupSequence: sequence,
        rollup: { state: rollup.state, description: shown.description },
        eventTime: newestEventTime(verdicts),
        ...(place.preview === undefined ? {} : { preview: place.preview }),
        sha,
        ...(ref === undefined ? {} : { ref }),
        deadline,
        scope,
        rangeLimit: rangeLimitOf(target.environment),
        deferAfterMs,
      });
    }
    const comment = await deliverRollupComment(comments, {
      route,
      target,
      object,
      status: {
        ...written,
        state: shown.state,
        ...(shown.targetUrl === '' ? {} : { targetUrl: shown.targetUrl }),
      },
      sequence,
      eventTime: newestEventTime(verdicts),
      preview: place.preview,
      deadline,
      scope,
    });
    if (comment !== undefined) result.comment = comment;
    const promotion = target.environment.promotion;
    // Only a commit that every cluster reconciled is promoted: never one a newer commit superseded.
    if (rollup.state !== 'success' || rollup.resolved || promotion === undefined) return withRange();
    const send: SendPromotion =
      promotion.type === 'repository_dispatch'
        ? createRepositoryDispatchSender(await clients.client(route, scope), promotion.eventType, deadline)
        : createSignedWebhookSender(
            promotion.url,
            await webhookKey(scope, promotion.secret),
            deadline,
            options.promotionFetch,
          );
    result.promotion = await promoteOnce({
      rollups,
      key: recordKeyOf(place.rollup),
      // A cluster may have failed since this recompute's read: no promotion of what is no longer green.
      stillGreen: async () =>
        rollupOf(target.clusters, await ledgerCall(() => clusters.query(place.rollup))).state === 'success',
      payload: {
        environment: target.name,
        object,
        sha,
        ...(ref === undefined ? {} : { ref }),
        clusters: target.clusters,
      },
      claimId: randomUUID(),
      leaseUntil: deadline + WRITE_GRACE_MS,
      now,
      send,
    });
    return withRange();
  }

  /**
   * The first final verdict of a roll-up marks its range once (`markRange`). Which commit came first
   * is Flux's word, as in the pending index: the environment's history of what its roll-up on this
   * context settled on is ordered by the newest cluster verdict's event time, never by the roll-up's
   * sequence. Each carried commit's status goes under that commit's own roll-up identity with
   * `carriedOrder` of that time: below every write of the commit's own roll-up (its `-` decides; the
   * sequence and the time are never compared), and the earlier roll-up's above a later one's.
   */
  async function markRollupRange(
    place: RollupPlace,
    verdict: CommitStatus,
    at: { eventTime: number; order: string },
    result: RollupResult,
  ): Promise<void> {
    const { route, target, context, deadline, scope } = place;
    const limit = rangeLimitOf(target.environment);
    if (options.history === undefined || limit === undefined || route.dryRun) return;
    // The job's own record is not this recompute's: the range's result tells the recompute's log line.
    const record: DeliveryRecord = { outcome: 'written', statusCode: 0, durationMs: 0 };
    const tracker = {
      history: options.history,
      clients,
      deliverStatus: deliverCarried,
      queue: options.queue,
      now,
      // The roll-up's page lists what its deployment carried, when the environment has pages.
      remember:
        options.details !== undefined && withPages.has(target.name)
          ? (_job: StatusJob, carried: CarriedRange) =>
              (options.details as DetailsLinks).rememberRollupCarried(rollupIdentityOf(place.rollup), carried)
          : undefined,
    };
    const ranged = await markRange(
      tracker,
      { route, status: verdict, eventTime: at.eventTime, deadline, scope, record },
      {
        key: rollupHistoryKey(route, target.name, context),
        order: at.order,
        limit,
        identityOf: (sha) => rollupIdentityOf(rollupKeyOf(route, sha, target.name, context)),
      },
    );
    if (ranged === undefined) return;
    if (ranged.failure !== undefined) throw ranged.failure;
    result.range = ranged.range;
    if (ranged.reason !== undefined) result.rangeReason = ranged.reason;
  }

  /** The link of the roll-up's page, or '' when its environment has none. */
  async function pageLink(place: RollupPlace, identity: string): Promise<string> {
    const { details } = options;
    if (details === undefined || !withPages.has(place.target.name)) return '';
    const { route, sha, context, rollup, target, scope } = place;
    return details.rollupLink({ identity, route, sha, context, rollup, environment: target.name }, scope);
  }

  /**
   * The roll-up in the pending index: entered while pending; once final, its entry goes, and the
   * older commits still pending on the same context are owed "superseded", written at once (what
   * fails stays due for the sweep). Entries carry the newest cluster event's time: the pending
   * index orders commits by Flux's clock, never by the roll-up's sequence.
   */
  async function track(index: PendingIndex, place: RollupPlace, rollup: RollupResult, eventTime: number) {
    const { route, target, context, sha, ref } = place;
    const key = rollupPendingKey(route, target.name, context);
    const owner = { routeId: route.id, object: objectName(place.object) };
    const status: CommitStatus = { sha, context, state: rollup.state, description: rollup.description };
    if (ref !== undefined) status.ref = ref;
    const at = now();
    const entries = await ledgerCall(() =>
      changeEntries(index, key, owner, (current) =>
        rollup.state === 'pending'
          ? withPending(current, route, owner.object, status, eventTime, at)
          : withVerdict(current, route, status, eventTime, at),
      ),
    );
    if (rollup.state === 'pending') return;
    for (const entry of entries ?? []) {
      if (entry.owed === undefined || entry.owed.eventTime !== eventTime) continue;
      // What fails stays owed and due in the index: the sweep writes it within minutes, and logs it.
      await resolve(key, route, owner.object, entry, place.deadline, place.scope).catch(() => undefined);
    }
  }

  /**
   * Resolves one pending roll-up, the entry of the index item `indexKey`: its record takes the
   * resolution it is owed ("superseded"), or else the timeout's `error` naming the clusters without a
   * verdict, and the roll-up is recomputed. Then the entry leaves the index, also when its
   * environment is no longer in the config. The roll-up's outcome, or undefined when there was
   * nothing left to resolve (a verdict came first, and its own recompute wrote the roll-up).
   */
  async function resolve(
    indexKey: string,
    route: Route,
    objectText: string,
    entry: PendingEntry,
    deadline: number,
    scope: SecretScope,
  ): Promise<OrderedOutcome | undefined> {
    const target = route.environment === undefined ? undefined : options.targets.get(route.environment);
    const object = parseObject(objectText);
    let outcome: OrderedOutcome | undefined;
    if (target !== undefined && object !== undefined) {
      const rollup = rollupKeyOf(route, entry.sha, target.name, entry.context);
      const verdicts = () => ledgerCall(() => clusters.query(rollup));
      const resolved = await resolveRecord(
        rollups,
        recordKeyOf(rollup),
        async () => rollupOf(target.clusters, await verdicts()).state !== 'pending',
        async () => owedResolution(target, await verdicts(), entry),
      );
      if (resolved) {
        const place = {
          route,
          target,
          object,
          context: entry.context,
          rollup,
          sha: entry.sha,
          ref: entry.ref,
        };
        ({ outcome } = await writeRollup({ ...place, deadline, scope }));
      }
    }
    const { pending } = options;
    if (pending !== undefined) {
      const owner = { routeId: route.id, object: objectText };
      await ledgerCall(() => changeEntries(pending, indexKey, owner, (entries) => without(entries, entry)));
    }
    return outcome;
  }

  return { recompute, resolve };
}

export type RollupDelivery = ReturnType<typeof createRollupDelivery>;

function newestEventTime(verdicts: Readonly<Record<string, StoredVerdict>>): number {
  return Math.max(0, ...Object.values(verdicts).map((verdict) => verdict.eventTime));
}

/** What a pending roll-up is owed: its entry's resolution, or the timeout's words from its clusters. */
function owedResolution(
  target: RollupTarget,
  verdicts: Readonly<Record<string, StoredVerdict>>,
  entry: PendingEntry,
) {
  const owed = entry.owed;
  if (owed !== undefined) {
    const { state, description, targetUrl } = owed;
    return {
      state,
      description,
      targetUrl,
      order: eventOrder(entry.since, { state, description, targetUrl }),
    };
  }
  const missing = clustersWithoutVerdict(target.clusters, verdicts);
  const description = `no verdict from ${someOf(missing)} within ${formatDuration(entry.timeoutMs ?? 0)}`;
  const shown = { state: 'error' as const, description, targetUrl: '' };
  return {
    ...shown,
    order: eventOrder(entry.since, shown),
    verdicts: verdictsDigest(target.clusters, verdicts),
  };
}

async function webhookKey(scope: SecretScope, name: string): Promise<string> {
  const { token } = await scope.get(name);
  if (token === undefined || token === '') {
    throw new RouteMisconfiguredError(`the promotion webhook's secret "${name}" has no "token"`);
  }
  return token;
}
