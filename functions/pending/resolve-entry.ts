import type { Route } from '../config/route-schema.js';
import { type DeliveryRecord, type ObserveDelivery, recordFailure } from '../delivery/delivery-record.js';
import { SecretScope } from '../delivery/secret-scope.js';
import type { DeliverStatus } from '../delivery/status-delivery.js';
import type { OwedStatus, PendingEntry, PendingIndex } from '../ledger/pending-index.js';
import { pendingKey } from '../ledger/pending-index.js';
import type { SecretSource } from '../secrets/secret-source.js';
import { changeEntries, without } from './pending-entries.js';
import { owedCommitStatus, unresolved } from './resolutions.js';

export interface Resolver {
  index: PendingIndex;
  /** The plain delivery (status-delivery.ts): a resolution is not tracked again. */
  deliverStatus: DeliverStatus;
  secrets: SecretSource;
  observe: ObserveDelivery;
  now: () => number;
}

/**
 * Writes what one pending entry is owed, in event order on its own status identity, over nothing
 * but a status that is still unresolved (`unresolved`), and then drops the entry. True when done;
 * a failure leaves the entry due, for the next sweep, and is in the record it logs.
 */
export async function resolveEntry(
  resolver: Resolver,
  route: Route,
  object: string,
  entry: PendingEntry,
  owed: OwedStatus,
  deadline: number,
): Promise<boolean> {
  const started = resolver.now();
  const scope = new SecretScope(resolver.secrets);
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
  let done = false;
  try {
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
    });
    record.statusCode = 200;
    await changeEntries(
      resolver.index,
      pendingKey(route.id, object),
      { routeId: route.id, object },
      (entries) => without(entries, entry),
    );
    done = true;
  } catch (caught) {
    const error = recordFailure(caught, record);
    record.outcome = 'failed';
    record.reason = scope.redact(error.message);
  }
  record.durationMs = resolver.now() - started;
  resolver.observe(scope.redactFields(record));
  return done;
}
