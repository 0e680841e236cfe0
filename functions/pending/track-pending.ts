import { objectName } from '../core/flux-object.js';
import type { DeliverStatus, StatusJob } from '../delivery/status-delivery.js';
import { type PendingEntry, pendingKey, sameIdentity } from '../ledger/pending-index.js';
import { storeCall } from '../ledger/store-call.js';
import { changeItem, newestVerdict, supersededLate, withPending, withVerdict } from './pending-entries.js';
import { type Resolver, resolveEntry } from './resolve-entry.js';

/**
 * The pending index's step, after every event's status: a pending is entered in the index (for the
 * sweep and for the verdict that may supersede it); a verdict resolves its own entry and writes
 * "superseded" on the object's older pending commits at once, with what is left of the deadline.
 * A resolution that fails stays due, so the sweep writes it within minutes.
 *
 * The index failing fails the delivery as the ledger's failure does: the queue delivers it again
 * (a duplicate on the forge, so no forge call) and the index is brought up to date then.
 */
export function createPendingTracking(resolver: Resolver) {
  return async (job: StatusJob, outcome: Awaited<ReturnType<DeliverStatus>>): Promise<void> => {
    const { route, status, eventTime } = job;
    // Only a cluster's own statuses are tracked: a route that writes none has none left pending.
    if (job.object === undefined || job.replaces !== undefined || job.carried || !route.clusterStatuses) {
      return;
    }
    const object = objectName(job.object);
    if (status.state === 'pending' && outcome === 'superseded') return;
    const key = pendingKey(route.id, object);
    const owner = { routeId: route.id, object };
    const now = resolver.now();
    const changed = await storeCall('the pending index', () =>
      changeItem(
        resolver.index,
        key,
        owner,
        ({ entries: current, verdict }) => {
          if (status.state === 'pending') {
            const next = withPending(current, route, object, status, eventTime, now, commentOf(job));
            return next === undefined
              ? undefined
              : {
                  entries: supersededLate(next, route, status, verdict, now),
                  ...(verdict ? { verdict } : {}),
                };
          }
          // Every verdict is kept, even one that resolves nothing: a pending that arrives after it may be older.
          const newest = newestVerdict(verdict, { sha: status.sha, state: status.state, eventTime });
          const next = withVerdict(current, route, status, eventTime, now);
          return next === undefined && newest === verdict
            ? undefined
            : { entries: next ?? current, verdict: newest };
        },
        { receivedAt: now, success: status.state === 'success' },
      ),
    );
    await resolveOwed(resolver, job, object, changed?.entries ?? []);
  };
}

/** Where the pending's change request comment is, for its timeout to end it too. */
function commentOf(job: StatusJob): PendingEntry['comment'] {
  if (job.comment === undefined) return undefined;
  return { changeRequest: job.comment.changeRequest, marker: job.comment.marker };
}

/**
 * What this event made owed, one after another: a verdict's resolutions (usually one or two commits
 * of a burst), or a late pending's own.
 */
async function resolveOwed(
  resolver: Resolver,
  job: StatusJob,
  object: string,
  entries: PendingEntry[],
): Promise<void> {
  for (const entry of entries) {
    if (entry.owed === undefined) continue;
    const late =
      job.status.state === 'pending' && sameIdentity(entry, job.status) && entry.since === job.eventTime;
    if (!late && (job.status.state === 'pending' || entry.owed.eventTime !== job.eventTime)) continue;
    await resolveEntry(resolver, job.route, object, entry, entry.owed, job.deadline);
  }
}
