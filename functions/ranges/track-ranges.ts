import { ForgeUnavailableError, isPassingFault, type RelayError } from '../core/errors.js';
import { objectName } from '../core/flux-object.js';
import type { DeliveryRecord } from '../delivery/delivery-record.js';
import type { ForgeClients } from '../delivery/forge-clients.js';
import type { DeliverStatus, StatusJob } from '../delivery/status-delivery.js';
import { type CommitRange, canReadRange } from '../forges/commit-range.js';
import { type DeploymentHistoryStore, historyKey } from '../ledger/deployment-history.js';
import { eventOrder } from '../ledger/status-ledger.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import { carriedStatus } from './carried-statuses.js';
import { markDone, settle } from './settle.js';

export interface RangeTracker {
  history: DeploymentHistoryStore;
  clients: ForgeClients;
  /** The delivery of a carried status, which no later step tracks or ranges (it has no object). */
  deliverStatus: DeliverStatus;
  /** Where the carried statuses go that the delivery's deadline leaves unwritten. */
  queue?: DeliveryQueue | undefined;
  /** Told of the range a verdict carried, for its details page. */
  remember?: ((job: StatusJob, range: CarriedRange) => Promise<void>) | undefined;
  now: () => number;
}

/** What a deployment carried, as its record and its details page tell it. */
export interface CarriedRange {
  /** The commit the object had settled on before (W). */
  base: string;
  /** The commits after it, newest first, that got a status here (at most the route's rangeLimit). */
  commits: string[];
  /** Commits of the range left out past the bound (at least this many when `more`). */
  left: number;
  more: boolean;
}

type RangeRecord = NonNullable<DeliveryRecord['range']>;

/**
 * What a verdict's range came to, for its record: the range (`range`), why it is short (`reason`),
 * and the fault that stopped its carried statuses without a queue to take the rest (`failure`),
 * which fails the delivery once the range is recorded.
 */
export interface RangeResult {
  range: RangeRecord;
  reason?: string;
  failure?: Error;
}

/** Done verdicts one container remembers, oldest forgotten first. */
const MAX_REMEMBERED = 10_000;

/**
 * The commit range's step, after every event's status: when an object's verdict is final on commit
 * X and the object had settled on W before, each first-parent commit of W..X gets a status of its
 * own ("deployed with <sha7>"), ranked below every event of that commit, so it shows only where the
 * commit has none of its own. Written while the deadline lasts; the rest goes to the queue.
 */
export function createRangeTracking(tracker: RangeTracker) {
  /**
   * Commits whose verdict this container saw settled, by route and object, with the earliest order
   * seen: a commit's range belongs to its first final verdict in event order, and the history only
   * ever moves a commit's entry to an earlier order, so a later verdict on it (Flux's re-sends, each
   * with a newer time) would find its range owned (`settle`). It then costs no history read. A
   * commit the history has since let go (MAX_SETTLED newer ones) is skipped too: `settle` would
   * measure its range from the newest settled commit, its descendant, which leaves none to mark.
   */
  const settled = new Map<string, string>();
  return async (job: StatusJob): Promise<RangeResult | undefined> => {
    const { route, status } = job;
    const final = status.state === 'success' || status.state === 'failure';
    if (!final || job.object === undefined || job.carried || job.replaces !== undefined) return undefined;
    if (!route.rangeStatuses || !route.clusterStatuses || route.dryRun) return undefined;
    const commit = `${route.id}|${objectName(job.object)}|${status.sha}`;
    const shown = { state: status.state, description: status.description, targetUrl: status.targetUrl ?? '' };
    const order = eventOrder(job.eventTime, shown);
    const earliest = settled.get(commit);
    if (earliest !== undefined && earliest <= order) return undefined;
    const result = await markRange(tracker, job, {
      key: historyKey(route.id, objectName(job.object)),
      order,
      limit: route.rangeLimit,
    });
    if (result?.failure !== undefined) return result;
    if (settled.size >= MAX_REMEMBERED) settled.delete(settled.keys().next().value as string);
    settled.set(commit, order);
    return result;
  };
}

/** Where a final verdict's range is kept and written: a route's object's, or an environment's roll-up. */
export interface RangePlace {
  /** The history of what the object (or roll-up) settled on (`historyKey`). */
  key: string;
  /** The verdict's place in that history: one order for every verdict of the history. */
  order: string;
  /** At most this many carried commits (`rangeLimit`). */
  limit: number;
  /**
   * The ledger identity of a carried commit's status when it is not the route's own (a roll-up's);
   * the job's `eventTime` then orders the carried statuses among themselves, in that identity's order.
   */
  identityOf?: (sha: string) => string;
}

/**
 * Marks the range of the final verdict `job` once: settles it in the history, reads W..X from the
 * forge and gives each carried commit its status (`writeCarried`). Its result tells the log.
 */
export async function markRange(
  tracker: RangeTracker,
  job: StatusJob,
  place: RangePlace,
): Promise<RangeResult | undefined> {
  const { route, status, eventTime, deadline, scope } = job;
  const { key } = place;
  const verdict = { sha: status.sha, order: place.order, eventTime };
  const settlement = await settle(tracker.history, key, verdict);
  if (!settlement.due) return undefined;
  if (settlement.base === undefined) {
    await markDone(tracker.history, key, verdict);
    return undefined;
  }
  const client = await tracker.clients.client(route, scope);
  if (!canReadRange(client)) return undefined;
  let range: CommitRange;
  try {
    range = await client.commitRange(settlement.base, status.sha, { limit: place.limit, deadline });
  } catch (error) {
    if (isPassingFault(error)) throw error;
    // A forge that refuses its compare (an old Gitea without it) leaves the own status standing.
    await markDone(tracker.history, key, verdict);
    return {
      range: { base: settlement.base, descends: false, commits: 0, written: 0, queued: 0, left: 0 },
      reason: `no commit range: ${scope.redact((error as Error).message)}`,
    };
  }
  const summary: RangeRecord = {
    base: settlement.base,
    descends: range.descends,
    commits: range.commits.length,
    written: 0,
    queued: 0,
    left: range.left,
    ...(range.more ? { more: true } : {}),
  };
  let reason: string | undefined;
  if (range.descends) {
    const failure = await writeCarried(tracker, job, range.commits, summary, place.identityOf);
    if (failure !== undefined) return { range: summary, failure };
    const carried = { base: settlement.base, commits: range.commits, left: range.left, more: range.more };
    // The statuses are on the forge: a page that misses the list says so in the log, and is not retried.
    await tracker.remember?.(job, carried).catch((error: Error) => {
      reason = `the details page could not list the commits it carried: ${scope.redact(error.message)}`;
    });
  }
  await markDone(tracker.history, key, verdict);
  return reason === undefined ? { range: summary } : { range: summary, reason };
}

/**
 * One carried status after another while the deadline lasts; the rest to the queue, never dropped.
 * Without a queue, the fault that stopped them: the verdict's delivery fails, so that Flux sends it
 * again and the range resumes.
 */
async function writeCarried(
  tracker: RangeTracker,
  job: StatusJob,
  commits: readonly string[],
  summary: RangeRecord,
  identityOf: RangePlace['identityOf'],
): Promise<Error | undefined> {
  const { route, status, eventTime, deadline, scope } = job;
  // The verdict's change request comment and its cluster's report are its own: a carried status
  // owes neither (without the object, the fleet reports nothing and no pending is tracked).
  const { comment: _comment, object: _object, ...carriedJob } = job;
  let stopped: { at: number; reason: string; error?: RelayError } | undefined;
  for (const [at, sha] of commits.entries()) {
    if (tracker.now() >= deadline) {
      stopped = { at, reason: 'the delivery’s deadline came first' };
      break;
    }
    const carried = carriedStatus(route, status, sha);
    const record: DeliveryRecord = { outcome: 'failed', statusCode: 0, durationMs: 0 };
    try {
      const identity = identityOf?.(sha);
      const outcome = await tracker.deliverStatus({
        ...carriedJob,
        status: carried,
        record,
        carried: true,
        ...(identity === undefined ? {} : { rollupIdentity: identity }),
      });
      if (outcome === 'written') summary.written++;
    } catch (error) {
      if (!isPassingFault(error)) throw error;
      stopped = { at, reason: scope.redact(error.message), error };
      break;
    }
  }
  if (stopped === undefined) return undefined;
  const rest = commits.slice(stopped.at);
  if (tracker.queue === undefined) return stopped.error ?? new ForgeUnavailableError(stopped.reason);
  const queue = tracker.queue;
  await Promise.all(
    rest.map((sha) => {
      const identity = identityOf?.(sha);
      return queue.enqueue(
        {
          routeId: route.id,
          eventTime,
          status: scope.redactFields(carriedStatus(route, status, sha)),
          carried: true,
          ...(identity === undefined ? {} : { rollupIdentity: identity }),
        },
        stopped.reason,
      );
    }),
  );
  summary.queued = rest.length;
  return undefined;
}
