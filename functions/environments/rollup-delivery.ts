import { randomUUID } from 'node:crypto';
import type { Route } from '../config/route-schema.js';
import type { CommitStatus } from '../core/commit-status.js';
import { RouteMisconfiguredError } from '../core/errors.js';
import type { FluxObject } from '../core/flux-object.js';
import { renderTemplate } from '../core/template.js';
import { WRITE_GRACE_MS } from '../delivery/budget.js';
import type { ForgeClients } from '../delivery/forge-clients.js';
import type { KeyedSerializer } from '../delivery/keyed-serializer.js';
import { deliverInOrder, type OrderedOutcome } from '../delivery/ordering.js';
import type { SecretScope } from '../delivery/secret-scope.js';
import { ROLLUP_KEY_PREFIX, type RollupLedger } from '../ledger/rollup-ledger.js';
import { eventOrder, ledgerKey, type StatusLedger } from '../ledger/status-ledger.js';
import { deploymentDelivery } from './deployment-delivery.js';
import { deploymentSettings, type FleetEnvironment } from './environments-config.js';
import { type PromotionOutcome, promoteOnce, type SendPromotion } from './promotion.js';
import { repositoryDispatchSender, signedWebhookSender } from './promotion-senders.js';
import { type ClusterVerdict, type Rollup, rollupOf } from './rollup.js';
import { recordVerdict } from './verdict-record.js';

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
}

/**
 * The environment's roll-up status for one event: the cluster's verdict goes into the roll-up
 * record (only ever advancing), the roll-up is computed from the record that results, and written
 * through the ordering protocol under its own status identity with the record's version as its
 * event time. A roll-up read from an older record is thus older, in every container, and an
 * unchanged roll-up is a duplicate. When it is success, the promotion signal follows, once.
 */
export function rollupDelivery(options: RollupDeliveryOptions) {
  const { ledger, rollups, clients, serializer, now } = options;
  const deliverDeployment = deploymentDelivery(options);

  return async (job: RollupJob): Promise<RollupResult | undefined> => {
    const { route, target, object, status, scope, deadline } = job;
    if (!counts(target.environment, object)) return undefined;
    const context = renderTemplate(target.environment.context, {
      environment: target.name,
      kind: object.kind,
      name: object.name,
      namespace: object.namespace,
    }).toLowerCase();
    const { type, apiUrl, address } = route.provider;
    const key = ledgerKey([ROLLUP_KEY_PREFIX, type, apiUrl ?? '', address, status.sha, target.name, context]);
    const shown = { state: status.state, description: status.description, targetUrl: status.targetUrl ?? '' };
    const verdict: ClusterVerdict = {
      order: eventOrder(job.eventTime, shown),
      state: status.state,
      description: status.description,
    };
    const record = await recordVerdict(rollups, key, route.cluster ?? route.id, verdict);
    const rollup = rollupOf(target.clusters, record.verdicts);
    const written: CommitStatus = { sha: status.sha, context, ...rollup };
    if (status.ref !== undefined) written.ref = status.ref;
    // The same identity as a cluster status of this context would have (status-delivery.ts).
    const identity = ledgerKey([type, apiUrl ?? '', address, status.sha, context, '']);
    const outcome = await serializer.run(identity, () =>
      deliverInOrder({
        ledger,
        key: identity,
        eventTime: record.version,
        status: { ...rollup, targetUrl: '' },
        writerId: randomUUID(),
        writeExpiresAt: deadline + WRITE_GRACE_MS,
        now,
        write: async (target, forgeShows) => {
          const result = await clients.write(
            route,
            { ...written, state: target.state, description: target.description },
            { deadline, checkForge: forgeShows === undefined },
            scope,
          );
          return result.outcome;
        },
      }),
    );
    const result: RollupResult = { context, ...rollup, outcome };
    const settings = deploymentSettings(target.environment);
    if (settings !== undefined) {
      // Before the promotion: GitHub's environment page shows the success that the signal announces.
      result.deployment = await deliverDeployment({
        route,
        environment: target.name,
        settings,
        context,
        rollupVersion: record.version,
        rollup,
        sha: status.sha,
        ...(status.ref === undefined ? {} : { ref: status.ref }),
        deadline,
        scope,
      });
    }
    const promotion = target.environment.promotion;
    if (rollup.state !== 'success' || promotion === undefined) return result;
    const send: SendPromotion =
      promotion.type === 'repository_dispatch'
        ? repositoryDispatchSender(await clients.client(route, scope), promotion.eventType, deadline)
        : signedWebhookSender(promotion.url, await webhookKey(scope, promotion.secret), deadline);
    result.promotion = await promoteOnce({
      rollups,
      key,
      clusters: target.clusters,
      payload: {
        environment: target.name,
        object,
        sha: status.sha,
        ...(status.ref === undefined ? {} : { ref: status.ref }),
        clusters: target.clusters,
      },
      claimId: randomUUID(),
      leaseUntil: deadline + WRITE_GRACE_MS,
      now,
      send,
    });
    return result;
  };
}

async function webhookKey(scope: SecretScope, name: string): Promise<string> {
  const { token } = await scope.get(name);
  if (token === undefined || token === '') {
    throw new RouteMisconfiguredError(`the promotion webhook's secret "${name}" has no "token"`);
  }
  return token;
}
