import type { Route } from '../config/route-schema.js';
import type { CommitStatus } from '../core/commit-status.js';
import { type FluxObject, objectName } from '../core/flux-object.js';
import type { Preview } from '../core/preview.js';
import { truncate } from '../core/text.js';
import type { SecretScope } from '../delivery/secret-scope.js';
import {
  CLUSTER_MESSAGE_LIMIT,
  type ClusterVerdicts,
  type ReportResult,
} from '../ledger/cluster-verdicts.js';
import { eventOrder } from '../ledger/status-ledger.js';
import { dedupIdOf, type RecomputeQueue } from './recompute-request.js';
import { counts, type RollupTarget, rollupContext, rollupKeyOf } from './rollup-place.js';
import { ledgerCall } from './verdict-record.js';

export interface ClusterReportJob {
  route: Route;
  target: RollupTarget;
  object: FluxObject;
  /** The cluster's decided status. */
  status: CommitStatus;
  eventTime: number;
  scope: SecretScope;
  /** The event's preview environment: carried to the roll-up's deployment. */
  preview?: Preview;
}

/** What the webhook did with a cluster's verdict: its roll-up's context, and the verdict's fate. */
export interface ClusterReport {
  context: string;
  result: ReportResult;
}

export interface ClusterReportsOptions {
  clusters: ClusterVerdicts;
  recomputes: RecomputeQueue;
}

/**
 * A cluster's report to its environment's roll-up, as the webhook makes it: the verdict goes into
 * the cluster's own item (one conditional write, only ever advancing in event order), and only when
 * that changed what the roll-up is computed from is a recompute requested. The roll-up itself is
 * written by its one consumer (`rollup-delivery.ts`). Nothing here grows with the fleet.
 *
 * A repeat of the report that is stored (Flux retrying an answer it did not get) asks again, under
 * the same deduplication id: the first ask may be the part that failed.
 */
export function clusterReports(options: ClusterReportsOptions) {
  return async (job: ClusterReportJob): Promise<ClusterReport | undefined> => {
    const { route, target, object, status, scope } = job;
    if (!counts(target.environment, object)) return undefined;
    const context = await rollupContext(target, object, route);
    const rollup = rollupKeyOf(route, status.sha, target.name, context);
    const cluster = route.cluster ?? route.id;
    // Scrubbed and bounded: the roll-up quotes less, and the item stays small however long it was.
    const description = truncate(scope.redact(status.description), CLUSTER_MESSAGE_LIMIT);
    const shown = { state: status.state, description, targetUrl: status.targetUrl ?? '' };
    const order = eventOrder(job.eventTime, shown);
    const result = await ledgerCall(() =>
      options.clusters.report(rollup, cluster, {
        order,
        state: status.state,
        description,
        eventTime: job.eventTime,
      }),
    );
    if (result === 'changed' || result === 'same') {
      await options.recomputes.request(
        {
          routeId: route.id,
          environment: target.name,
          object: objectName(object),
          sha: status.sha,
          ...(status.ref === undefined ? {} : { ref: status.ref }),
          context,
          rollup,
          ...(job.preview === undefined ? {} : { preview: job.preview }),
        },
        dedupIdOf(rollup, cluster, order),
      );
    }
    return { context, result };
  };
}

export type ReportVerdict = ReturnType<typeof clusterReports>;
