import type { Route } from '../config/route-schema.js';
import { statusOf } from '../core/http-response.js';
import { forgeDeadline } from '../delivery/budget.js';
import { type DeliveryRecord, runAttempt } from '../delivery/delivery-record.js';
import type { OrderedOutcome } from '../delivery/ordering.js';
import type { SecretScope } from '../delivery/secret-scope.js';
import type { PendingEntry, PendingObject } from '../ledger/pending-index.js';
import { changeEntries } from './pending-entries.js';
import { successSilence, timedOut } from './resolutions.js';
import { type Resolved, type Resolver, resolveEntry } from './resolve-entry.js';
import { ROLLUP_PENDING_PREFIX, rollupPendingKey } from './rollup-pending-key.js';

/**
 * Resolves a pending roll-up's index entry (functions/fleet/ does): its outcome, or undefined when
 * there was nothing left to resolve.
 */
export type ResolveRollup = (
  indexKey: string,
  route: Route,
  object: string,
  entry: PendingEntry,
  deadline: number,
  scope: SecretScope,
) => Promise<OrderedOutcome | undefined>;

export interface SweepOptions extends Resolver {
  routes: ReadonlyMap<string, Route>;
  /** Resolves a pending roll-up of a fleet environment (its index items are apart: `rollupPendingKey`). */
  resolveRollup: ResolveRollup;
  /** Items read per run: what is left waits for the next run, oldest first. */
  limit?: number;
  /** Items resolved at the same time. */
  concurrency?: number;
}

export interface SweepResult {
  /** Entries whose resolution was written (or found not needed: a verdict was there first). */
  resolved: number;
  /** Entries whose resolution failed: still due, for the next run. */
  failed: number;
  /** Entries dropped: their route left the config, or the forge refused their resolution for good. */
  dropped: number;
  /**
   * Routes whose timed-out Kustomizations sent no success event in a day (`successSilence`): the
   * likely sign of kustomize-controller's DisableCommitStatusEvent gate.
   */
  silentRoutes: number;
}

export type PendingSweep = (invocationDeadline?: number) => Promise<SweepResult>;

/**
 * The scheduled sweep: reads the index of due items (never the table), and writes each due entry's
 * resolution: "superseded" when a verdict left it owed and its write failed, otherwise the timeout's
 * `error`. Every write goes through the ordering protocol, so a verdict that reached the ledger first
 * is never overwritten, and one that comes later replaces the `error`.
 */
export function createPendingSweep(options: SweepOptions): PendingSweep {
  const limit = options.limit ?? 1000;
  const concurrency = options.concurrency ?? 8;
  return async (invocationDeadline) => {
    const result: SweepResult = { resolved: 0, failed: 0, dropped: 0, silentRoutes: 0 };
    const silent = new Set<string>();
    const now = options.now();
    const keys = await options.index.due(now, limit);
    for (let start = 0; start < keys.length; start += concurrency) {
      // Each forge write gets its own deadline; a run that is out of time leaves the rest due.
      if (invocationDeadline !== undefined && options.now() > invocationDeadline - 15_000) break;
      await Promise.all(
        keys
          .slice(start, start + concurrency)
          .map((key) => sweepItem(key, now, invocationDeadline, result, silent)),
      );
    }
    result.silentRoutes = silent.size;
    return result;
  };

  /** A roll-up's resolution, with its log line as a delivery's, so a failed one is found alike. */
  async function resolveRollupEntry(
    key: string,
    route: Route,
    object: string,
    entry: PendingEntry,
    deadline: number,
  ): Promise<Resolved> {
    const record: DeliveryRecord = {
      outcome: 'written',
      statusCode: 200,
      durationMs: 0,
      route: route.id,
      forge: route.provider.type,
      object,
      sha: entry.sha,
      context: entry.context,
      resolution: entry.owed === undefined ? 'timeout' : 'superseded',
    };
    return runAttempt<Resolved>(options, record, {
      run: async ({ scope }) => {
        const outcome = await options.resolveRollup(key, route, object, entry, deadline, scope);
        if (outcome === undefined) record.outcome = 'duplicate';
        return 'resolved';
      },
      failed: (error, { scope }) => {
        record.statusCode = statusOf(error);
        record.outcome = 'failed';
        record.reason = scope.redact(error.message);
        return 'failed';
      },
    });
  }

  async function sweepItem(
    key: string,
    now: number,
    invocationDeadline: number | undefined,
    result: SweepResult,
    silent: Set<string>,
  ) {
    const item = await options.index.read(key);
    if (item === undefined) return;
    const rollup = key.startsWith(ROLLUP_PENDING_PREFIX);
    const route = options.routes.get(item.routeId) ?? (rollup ? routeOfRollup(key, item) : undefined);
    const due = item.entries.filter((entry) => entry.dueAt !== undefined && entry.dueAt <= now);
    if (route === undefined) {
      await changeEntries(options.index, key, { routeId: item.routeId, object: item.object }, () => []);
      result.dropped += item.entries.length;
      return;
    }
    const silence = rollup ? undefined : successSilence(item.object, item, now);
    if (silence !== undefined && due.some((entry) => entry.owed === undefined)) silent.add(route.id);
    for (const entry of due) {
      // What is left stays due for the next run, as in the run's own loop.
      if (invocationDeadline !== undefined && options.now() > invocationDeadline - 15_000) return;
      const deadline = forgeDeadline(options.now(), invocationDeadline);
      const resolved = rollup
        ? await resolveRollupEntry(key, route, item.object, entry, deadline)
        : await resolveEntry(
            options,
            route,
            item.object,
            entry,
            entry.owed ?? timedOut(route, item.object, entry, silence),
            deadline,
          );
      result[resolved]++;
    }
  }

  /**
   * Any route of the roll-up's environment can write it (they name one repository): the one that
   * last kept it pending may have left the config while the environment stays.
   */
  function routeOfRollup(key: string, item: PendingObject): Route | undefined {
    for (const route of options.routes.values()) {
      if (route.environment === undefined) continue;
      const environment = route.environment;
      if (item.entries.some((entry) => rollupPendingKey(route, environment, entry.context) === key))
        return route;
    }
    return undefined;
  }
}
