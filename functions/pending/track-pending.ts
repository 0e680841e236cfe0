import { LedgerUnavailableError } from '../core/errors.js';
import { objectName } from '../core/flux-object.js';
import type { DeliverStatus, StatusJob } from '../delivery/status-delivery.js';
import { type PendingEntry, pendingKey } from '../ledger/pending-index.js';
import { changeEntries, withPending, withVerdict } from './pending-entries.js';
import { type Resolver, resolveEntry } from './resolve-entry.js';

/**
 * Wraps the delivery of every event's status: a pending is entered in the pending index (for the
 * sweep and for the verdict that may supersede it); a verdict resolves its own entry and writes
 * "superseded" on the object's older pending commits at once, with what is left of the deadline.
 * A resolution that fails stays due, so the sweep writes it within minutes.
 *
 * The index failing fails the delivery as the ledger's failure does: the queue delivers it again
 * (a duplicate on the forge, so no forge call) and the index is brought up to date then.
 */
export function trackPending(deliverStatus: DeliverStatus, resolver: Resolver): DeliverStatus {
  return async (job) => {
    const outcome = await deliverStatus(job);
    const { route, status, eventTime } = job;
    // Only a cluster's own statuses are tracked: a route that writes none has none left pending.
    if (job.object === undefined || job.replaces !== undefined || job.carried || !route.clusterStatuses) {
      return outcome;
    }
    const object = objectName(job.object);
    if (status.state === 'pending' && outcome === 'superseded') return outcome;
    const key = pendingKey(route.id, object);
    const owner = { routeId: route.id, object };
    let entries: PendingEntry[] | undefined;
    try {
      const now = resolver.now();
      entries = await changeEntries(
        resolver.index,
        key,
        owner,
        (current) =>
          status.state === 'pending'
            ? withPending(current, route, object, status, eventTime, now, commentOf(job))
            : withVerdict(current, route, status, eventTime, now),
        { receivedAt: now, success: status.state === 'success' },
      );
    } catch (cause) {
      throw new LedgerUnavailableError('the pending index could not be read or written', { cause });
    }
    if (status.state !== 'pending') await resolveOwed(resolver, job, object, entries ?? []);
    return outcome;
  };
}

/** Where the pending's change request comment is, for its timeout to end it too. */
function commentOf(job: StatusJob): PendingEntry['comment'] {
  if (job.comment === undefined) return undefined;
  return { changeRequest: job.comment.changeRequest, marker: job.comment.marker };
}

/** The verdict's own resolutions, one after another: usually one or two commits of a burst. */
async function resolveOwed(
  resolver: Resolver,
  job: StatusJob,
  object: string,
  entries: PendingEntry[],
): Promise<void> {
  for (const entry of entries) {
    if (entry.owed === undefined || entry.owed.eventTime !== job.eventTime) continue;
    await resolveEntry(resolver, job.route, object, entry, entry.owed, job.deadline);
  }
}
