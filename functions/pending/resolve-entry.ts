import type { Route } from '../config/route-schema.js';
import { renderResolutionComment } from '../core/change-request-comment.js';
import type { CommitStatus } from '../core/commit-status.js';
import { isPassingFault } from '../core/errors.js';
import { type DeliveryRecord, type ObserveDelivery, runAttempt } from '../delivery/delivery-record.js';
import type { DeliverStatus } from '../delivery/status-delivery.js';
import type { DetailsLinks } from '../details/details-links.js';
import type { OwedStatus, PendingEntry, PendingIndex } from '../ledger/pending-index.js';
import { pendingKey } from '../ledger/pending-index.js';
import type { SecretSource } from '../secrets/secret-source.js';
import { changeEntries, without } from './pending-entries.js';
import { owedCommitStatus, unresolved } from './resolutions.js';

export interface Resolver {
  index: PendingIndex;
  /** The details pages, which show a resolution as the forge does. */
  details?: DetailsLinks | undefined;
  /** The delivery pipeline (functions/service/delivery-pipeline.ts): a resolution (`replaces`) is not tracked again. */
  deliverStatus: DeliverStatus;
  secrets: SecretSource;
  observe: ObserveDelivery;
  now: () => number;
}

export type Resolved = 'resolved' | 'failed' | 'dropped';

/**
 * A timed-out pending's change request comment, which showed it in progress, ends saying so too. A
 * superseded one needs none: the newer commit's verdict is the comment's already.
 */
function timeoutComment(route: Route, object: string, entry: PendingEntry, status: CommitStatus) {
  if (entry.comment === undefined || entry.owed !== undefined) return {};
  const body = renderResolutionComment(entry.comment.marker, object, status, route.cluster ?? route.id);
  return { comment: { ...entry.comment, body } };
}

/**
 * Writes what one pending entry is owed, in event order on its own status identity, over nothing
 * but a status that is still unresolved (`unresolved`), and then drops the entry. A passing fault
 * leaves the entry due, for the next sweep; a final refusal (the forge's 4xx, a route's fault) drops
 * it, as no later sweep would fare better. Either is in the record it logs, with its reason.
 */
export async function resolveEntry(
  resolver: Resolver,
  route: Route,
  object: string,
  entry: PendingEntry,
  owed: OwedStatus,
  deadline: number,
): Promise<Resolved> {
  const status = owedCommitStatus(entry, owed);
  const record: DeliveryRecord = {
    outcome: 'failed',
    statusCode: 0,
    durationMs: 0,
    route: route.id,
    cluster: route.cluster ?? route.id,
    forge: route.provider.type,
    object,
    sha: status.sha,
    context: status.context,
    state: status.state,
    description: status.description,
    eventTime: new Date(entry.since).toISOString(),
    resolution: entry.owed === undefined ? 'timeout' : 'superseded',
  };
  if (status.targetUrl !== undefined) record.targetUrl = status.targetUrl;
  const drop = () =>
    changeEntries(resolver.index, pendingKey(route.id, object), { routeId: route.id, object }, (entries) =>
      without(entries, entry),
    );
  return runAttempt<Resolved>(resolver, record, {
    run: async ({ scope }) => {
      // A resolution ranks at the pending's own time, above it: any verdict of the commit that came
      // after its pending outranks it, in whatever order the two arrive.
      record.outcome = await resolver.deliverStatus({
        route,
        status,
        eventTime: entry.since,
        deadline,
        scope,
        record,
        replaces: unresolved,
        ...timeoutComment(route, object, entry, status),
      });
      record.statusCode = 200;
      if (record.outcome !== 'superseded' && record.outcome !== 'skipped') {
        const kind = record.resolution ?? 'timeout';
        const facts = { route, status, object, eventTime: entry.since, scope, kind };
        // The status is on the forge: a page that misses it says so in the log, and is not retried.
        await resolver.details?.rememberResolution(facts).catch((error: Error) => {
          record.reason = `the details page could not record it: ${scope.redact(error.message)}`;
        });
      }
      await drop();
      return 'resolved';
    },
    failed: async (error, { scope }) => {
      record.outcome = 'failed';
      record.reason = scope.redact(error.message);
      if (isPassingFault(error)) return 'failed';
      record.reason = `${record.reason}; the resolution is dropped`;
      return drop().then(
        () => 'dropped' as const,
        () => 'failed' as const,
      );
    },
  });
}
