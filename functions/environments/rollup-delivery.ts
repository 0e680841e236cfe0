import { randomUUID } from 'node:crypto';
import type { Route } from '../config/route-schema.js';
import type { CommitStatus } from '../core/commit-status.js';
import { formatDuration } from '../core/duration.js';
import { RouteMisconfiguredError } from '../core/errors.js';
import { type FluxObject, objectName, parseObject } from '../core/flux-object.js';
import { renderTemplate } from '../core/template.js';
import { WRITE_GRACE_MS } from '../delivery/budget.js';
import type { ForgeClients } from '../delivery/forge-clients.js';
import type { KeyedSerializer } from '../delivery/keyed-serializer.js';
import { deliverInOrder, type OrderedOutcome } from '../delivery/ordering.js';
import type { SecretScope } from '../delivery/secret-scope.js';
import type { PendingEntry, PendingIndex } from '../ledger/pending-index.js';
import { ROLLUP_KEY_PREFIX, type RollupLedger, type RollupRecord } from '../ledger/rollup-ledger.js';
import { eventOrder, ledgerKey, type StatusLedger } from '../ledger/status-ledger.js';
import { changeEntries, without, withPending, withVerdict } from '../pending/pending-entries.js';
import { deploymentDelivery } from './deployment-delivery.js';
import { deploymentSettings, type FleetEnvironment } from './environments-config.js';
import { type PromotionOutcome, promoteOnce, type SendPromotion } from './promotion.js';
import { repositoryDispatchSender, signedWebhookSender } from './promotion-senders.js';
import { type ClusterVerdict, clustersWithoutVerdict, type Rollup, rollupOfRecord } from './rollup.js';
import { ledgerCall, recordVerdict, resolveRecord } from './verdict-record.js';

/** A fleet environment as the relay serves it: its config and the clusters its routes report. */
export interface RollupTarget {
  name: string;
  environment: FleetEnvironment;
  clusters: string[];
}

export function rollupTargets(
  routes: readonly Route[],
  environments: Readonly<Record<string, FleetEnvironment>>,
): Map<string, RollupTarget> {
  const targets = new Map<string, RollupTarget>();
  for (const [name, environment] of Object.entries(environments)) {
    const clusters = routes
      .filter((route) => route.environment === name)
      .map((route) => route.cluster ?? route.id);
    targets.set(name, { name, environment, clusters });
  }
  return targets;
}

/** The Flux object an event is about. */
function counts(environment: FleetEnvironment, object: FluxObject): boolean {
  const filter = environment.objects;
  if (filter === undefined) return true;
  if (filter.kinds && !filter.kinds.includes(object.kind)) return false;
  if (filter.names && !filter.names.includes(object.name)) return false;
  return !filter.namespaces || filter.namespaces.includes(object.namespace);
}

export interface RollupJob {
  route: Route;
  target: RollupTarget;
  object: FluxObject;
  /** The cluster's decided status, already scrubbed of the route's secrets. */
  status: CommitStatus;
  eventTime: number;
  deadline: number;
  scope: SecretScope;
}

export interface RollupResult {
  /** True when a resolution (superseded, no verdict in time) stands in for missing verdicts. */
  resolved: boolean;
  context: string;
  state: Rollup['state'];
  description: string;
  outcome: OrderedOutcome;
  deployment?: OrderedOutcome;
  promotion?: PromotionOutcome;
}

export interface RollupDeliveryOptions {
  ledger: StatusLedger;
  rollups: RollupLedger;
  clients: ForgeClients;
  serializer: KeyedSerializer;
  now: () => number;
  /** The fleet environments by name, for a resolution that starts from its index entry. */
  targets: ReadonlyMap<string, RollupTarget>;
  /** Where a pending roll-up waits for its sweep or for a newer commit (functions/pending/). */
  pending?: PendingIndex;
  /** The promotion webhook's fetch; tests give one that reaches a loopback receiver. */
  promotionFetch?: typeof fetch;
}

/** Where one roll-up lives: its route (for the forge), environment, object, commit and record. */
interface RollupPlace {
  route: Route;
  target: RollupTarget;
  object: FluxObject;
  context: string;
  key: string;
  sha: string;
  ref?: string | undefined;
  deadline: number;
  scope: SecretScope;
}

function rollupContext(target: RollupTarget, object: FluxObject): string {
  return renderTemplate(target.environment.context, {
    environment: target.name,
    kind: object.kind,
    name: object.name,
    namespace: object.namespace,
  }).toLowerCase();
}

function recordKey(route: Route, sha: string, environment: string, context: string): string {
  const { type, apiUrl, address } = route.provider;
  return ledgerKey([ROLLUP_KEY_PREFIX, type, apiUrl ?? '', address, sha, environment, context]);
}

/**
 * The pending index item of one roll-up context across commits: the same store and rules as a
 * cluster's pending statuses, under a key no route's item has.
 */
export function rollupPendingKey(route: Route, environment: string, context: string): string {
  const { type, apiUrl, address } = route.provider;
  return `${ROLLUP_PENDING_PREFIX}${ledgerKey([type, apiUrl ?? '', address, environment, context])}`;
}

export const ROLLUP_PENDING_PREFIX = 'pending|rollup|';

/**
 * The environment's roll-up status for one event: the cluster's verdict goes into the roll-up
 * record (only ever advancing), the roll-up is computed from the record that results, and written
 * through the ordering protocol under its own status identity with the record's version as its
 * event time. A roll-up read from an older record is thus older, in every container, and an
 * unchanged roll-up is a duplicate. When it is success, the promotion signal follows, once.
 *
 * A pending roll-up is kept in the pending index: a newer commit's final roll-up resolves it as
 * superseded at once, and the sweep resolves it as having no verdict after the route's timeout.
 */
export function rollupDelivery(options: RollupDeliveryOptions) {
  const { ledger, rollups, clients, serializer, now } = options;
  const deliverDeployment = deploymentDelivery(options);

  async function deliver(job: RollupJob): Promise<RollupResult | undefined> {
    const { route, target, object, status } = job;
    if (!counts(target.environment, object)) return undefined;
    const context = rollupContext(target, object);
    const key = recordKey(route, status.sha, target.name, context);
    const shown = { state: status.state, description: status.description, targetUrl: status.targetUrl ?? '' };
    const verdict: ClusterVerdict = {
      order: eventOrder(job.eventTime, shown),
      state: status.state,
      description: status.description,
    };
    const record = await recordVerdict(rollups, key, route.cluster ?? route.id, verdict);
    const place = { ...job, context, key, sha: status.sha, ref: status.ref };
    const result = await writeRollup(place, record);
    if (options.pending !== undefined && !result.resolved) {
      await track(options.pending, place, result, job.eventTime);
    }
    return result;
  }

  async function writeRollup(place: RollupPlace, record: RollupRecord): Promise<RollupResult> {
    const { route, target, object, context, sha, ref, deadline, scope } = place;
    const rollup = rollupOfRecord(target.clusters, record, target.environment.counts);
    const written: CommitStatus = { sha, context, state: rollup.state, description: rollup.description };
    if (ref !== undefined) written.ref = ref;
    // The same identity as a cluster status of this context would have (status-delivery.ts).
    const { type, apiUrl, address } = route.provider;
    const identity = ledgerKey([type, apiUrl ?? '', address, sha, context, '']);
    const outcome = await serializer.run(identity, () =>
      deliverInOrder({
        ledger,
        key: identity,
        eventTime: record.version,
        status: { state: rollup.state, description: rollup.description, targetUrl: rollup.targetUrl },
        writerId: randomUUID(),
        writeExpiresAt: deadline + WRITE_GRACE_MS,
        now,
        write: async (shown, forgeShows) => {
          const target: CommitStatus = { ...written, state: shown.state, description: shown.description };
          if (shown.targetUrl !== '') target.targetUrl = shown.targetUrl;
          const result = await clients.write(
            route,
            target,
            { deadline, checkForge: forgeShows === undefined },
            scope,
          );
          return result.outcome;
        },
      }),
    );
    const result: RollupResult = {
      context,
      state: rollup.state,
      description: rollup.description,
      outcome,
      resolved: rollup.resolved,
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
        rollupVersion: record.version,
        rollup,
        sha,
        ...(ref === undefined ? {} : { ref }),
        deadline,
        scope,
      });
    }
    const promotion = target.environment.promotion;
    // Only a commit that every cluster reconciled is promoted: never one a newer commit superseded.
    if (rollup.state !== 'success' || rollup.resolved || promotion === undefined) return result;
    const send: SendPromotion =
      promotion.type === 'repository_dispatch'
        ? repositoryDispatchSender(await clients.client(route, scope), promotion.eventType, deadline)
        : signedWebhookSender(
            promotion.url,
            await webhookKey(scope, promotion.secret),
            deadline,
            options.promotionFetch,
          );
    result.promotion = await promoteOnce({
      rollups,
      key: place.key,
      clusters: target.clusters,
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
    return result;
  }

  /**
   * The roll-up in the pending index: entered while pending; once final, its entry goes, and the
   * older commits still pending on the same context are owed "superseded", written at once (what
   * fails stays due for the sweep).
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
   * verdict, and the roll-up is written again from the record. Then the entry leaves the index, also
   * when its environment is no longer in the config. The roll-up's outcome, or undefined when there
   * was nothing left to resolve (a verdict came first, and its own delivery wrote the roll-up).
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
      const key = recordKey(route, entry.sha, target.name, entry.context);
      const record = await resolveRecord(rollups, key, target.clusters, (current) =>
        owedResolution(target, current, entry),
      );
      if (record !== undefined) {
        const place = { route, target, object, context: entry.context, key, sha: entry.sha, ref: entry.ref };
        ({ outcome } = await writeRollup({ ...place, deadline, scope }, record));
      }
    }
    const { pending } = options;
    if (pending !== undefined) {
      const owner = { routeId: route.id, object: objectText };
      await ledgerCall(() => changeEntries(pending, indexKey, owner, (entries) => without(entries, entry)));
    }
    return outcome;
  }

  return { deliver, resolve };
}

export type RollupDelivery = ReturnType<typeof rollupDelivery>;

/** What a pending roll-up is owed: its entry's resolution, or the timeout's words from its record. */
function owedResolution(target: RollupTarget, record: RollupRecord, entry: PendingEntry) {
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
  const missing = clustersWithoutVerdict(target.clusters, record.verdicts);
  const description = `no verdict from ${missing.join(', ')} within ${formatDuration(entry.timeoutMs ?? 0)}`;
  const shown = { state: 'error' as const, description, targetUrl: '' };
  return { ...shown, order: eventOrder(entry.since, shown) };
}

async function webhookKey(scope: SecretScope, name: string): Promise<string> {
  const { token } = await scope.get(name);
  if (token === undefined || token === '') {
    throw new RouteMisconfiguredError(`the promotion webhook's secret "${name}" has no "token"`);
  }
  return token;
}
