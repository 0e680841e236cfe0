import { DEFAULT_ROLLUP_CONTEXT, type FleetEnvironment } from '../config/fleet-environments.js';
import type { Route } from '../config/route-schema.js';
import type { FluxObject } from '../core/flux-object.js';
import { renderTemplate } from '../core/template.js';
import { rollupStatusNameOf } from '../expressions/route-status-names.js';
import { ROLLUP_KEY_PREFIX } from '../ledger/rollup-ledger.js';
import { ledgerKey } from '../ledger/status-ledger.js';

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

/**
 * The environments whose roll-ups link a details page: those whose every route has `detailsPage`.
 * The page shows every cluster's message, so a route that keeps its messages off pages keeps its
 * environment's roll-up off them too; and the page function reads only those routes' secrets.
 */
export function environmentsWithPages(routes: Iterable<Route>): Set<string> {
  const withPages = new Set<string>();
  const without = new Set<string>();
  for (const route of routes) {
    if (route.environment === undefined) continue;
    (route.detailsPage ? withPages : without).add(route.environment);
  }
  for (const environment of without) withPages.delete(environment);
  return withPages;
}

/** Whether the environment has a roll-up for the object. */
export function counts(environment: FleetEnvironment, object: FluxObject): boolean {
  const filter = environment.objects;
  if (filter === undefined) return true;
  if (filter.kinds && !(filter.kinds as readonly string[]).includes(object.kind)) return false;
  if (filter.names && !filter.names.includes(object.name)) return false;
  return !filter.namespaces || filter.namespaces.includes(object.namespace);
}

/**
 * The roll-up's status name for the object: the environment's `commitStatusExpr` when it has one
 * (as it gives it; a failure is a StatusExpressionError before anything is written), otherwise its
 * context template, lower-cased. `route` is the reporting one: every route of the environment names
 * its one repository.
 */
export async function rollupContext(target: RollupTarget, object: FluxObject, route: Route): Promise<string> {
  const named = rollupStatusNameOf(target.name, target.environment, route);
  if (named !== undefined) return (await named)(object);
  return renderTemplate(target.environment.context ?? DEFAULT_ROLLUP_CONTEXT, {
    environment: target.name,
    kind: object.kind,
    name: object.name,
    namespace: object.namespace,
  }).toLowerCase();
}

/** One roll-up (repository, sha, environment, context): its cluster items' partition, its group. */
export function rollupKeyOf(route: Route, sha: string, environment: string, context: string): string {
  const { type, apiUrl, address } = route.provider;
  return ledgerKey([type, apiUrl ?? '', address, sha, environment, context]);
}

/** The roll-up's record (sequence, resolution, promotion) in the ledger's table. */
export function recordKeyOf(rollup: string): string {
  return ledgerKey([ROLLUP_KEY_PREFIX, rollup]);
}

/**
 * The roll-up's status identity in the ordering ledger: a prefix no cluster status's key has, so
 * a route whose context renders like the roll-up's never shares its order (which counts writes of
 * the roll-up, not event times).
 */
export function rollupIdentityOf(rollup: string): string {
  return ledgerKey([ROLLUP_STATUS_PREFIX, rollup]);
}

const ROLLUP_STATUS_PREFIX = 'rollup-status';

/**
 * What the environment's roll-up on one context settled on (functions/ranges/), in the deployment
 * history's table: its own prefix beside the routes' `settled|`.
 */
export function rollupHistoryKey(route: Route, environment: string, context: string): string {
  const { type, apiUrl, address } = route.provider;
  return ledgerKey(['settled-rollup', type, apiUrl ?? '', address, environment, context]);
}
