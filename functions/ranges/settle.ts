import { CONFLICT, compareAndSwap } from '../core/compare-and-swap.js';
import type { DeploymentHistoryStore, SettledCommit } from '../ledger/deployment-history.js';
import { storeCall } from '../ledger/store-call.js';

/** Commits kept per object: enough for any race of verdicts, far below DynamoDB's item limit. */
export const MAX_SETTLED = 20;

export type Settlement =
  /** The range of this verdict is owed: the commits after `base`, unless it is undefined (the first). */
  | { due: true; base: string | undefined }
  /** An earlier verdict on the same commit owns its range, or this one's range is done. */
  | { due: false };

/**
 * Enters a final verdict on `verdict.sha` in the object's history. A commit's range belongs to its
 * first final verdict, in event order, so that a repeat or a later verdict on the same commit marks
 * nothing again, and a late earlier one takes the range over. Its base is the commit settled just
 * before it in that order (not the newest known): a verdict that arrives after a newer one still
 * finds its own W.
 */
export async function settle(
  history: DeploymentHistoryStore,
  key: string,
  verdict: Omit<SettledCommit, 'done'>,
): Promise<Settlement> {
  return compareAndSwap('the deployment history', async (): Promise<Settlement | typeof CONFLICT> => {
    const item = await historyCall(() => history.read(key));
    const settled = item?.settled ?? [];
    const own = settled.find((entry) => entry.sha === verdict.sha);
    if (own !== undefined && (own.order < verdict.order || (own.order === verdict.order && own.done))) {
      return { due: false };
    }
    const others = settled.filter((entry) => entry.sha !== verdict.sha);
    const base = others.filter((entry) => entry.order < verdict.order).at(-1)?.sha;
    if (own?.order === verdict.order) return { due: true, base };
    const next = [...others, { ...verdict, done: false }]
      .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
      .slice(-MAX_SETTLED);
    const swapped = await historyCall(() =>
      history.swap(key, item?.version, { settled: next, version: (item?.version ?? 0) + 1 }),
    );
    return swapped ? { due: true, base } : CONFLICT;
  });
}

/** Marks the verdict's range as written or queued, unless an earlier verdict took it over since. */
export async function markDone(
  history: DeploymentHistoryStore,
  key: string,
  verdict: Pick<SettledCommit, 'sha' | 'order'>,
): Promise<void> {
  await compareAndSwap('the deployment history', async () => {
    const item = await historyCall(() => history.read(key));
    const own = item?.settled.find((entry) => entry.sha === verdict.sha && entry.order === verdict.order);
    if (item === undefined || own === undefined || own.done) return true;
    const settled = item.settled.map((entry) => (entry === own ? { ...entry, done: true } : entry));
    const swapped = await historyCall(() =>
      history.swap(key, item.version, { settled, version: item.version + 1 }),
    );
    return swapped || CONFLICT;
  });
}

/** A store fault stops the delivery as the ledger's does: the queue delivers it again. */
function historyCall<T>(call: () => Promise<T>): Promise<T> {
  return storeCall('the deployment history', call);
}
