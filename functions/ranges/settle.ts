import { LedgerUnavailableError, OrderingContentionError } from '../core/errors.js';
import type { DeploymentHistoryStore, SettledCommit } from '../ledger/deployment-history.js';

/** Commits kept per object: enough for any race of verdicts, far below DynamoDB's item limit. */
export const MAX_SETTLED = 20;
/** Each change is one read and one swap; more rounds than this means a storm. */
const MAX_ROUNDS = 20;

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
  for (let round = 0; round < MAX_ROUNDS; round++) {
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
    if (
      await historyCall(() =>
        history.swap(key, item?.version, { settled: next, version: (item?.version ?? 0) + 1 }),
      )
    ) {
      return { due: true, base };
    }
  }
  throw new OrderingContentionError(`the deployment history changed on each of ${MAX_ROUNDS} rounds`);
}

/** Marks the verdict's range as written or queued, unless an earlier verdict took it over since. */
export async function markDone(
  history: DeploymentHistoryStore,
  key: string,
  verdict: Pick<SettledCommit, 'sha' | 'order'>,
): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const item = await historyCall(() => history.read(key));
    const own = item?.settled.find((entry) => entry.sha === verdict.sha && entry.order === verdict.order);
    if (item === undefined || own === undefined || own.done) return;
    const settled = item.settled.map((entry) => (entry === own ? { ...entry, done: true } : entry));
    if (await historyCall(() => history.swap(key, item.version, { settled, version: item.version + 1 })))
      return;
  }
  throw new OrderingContentionError(`the deployment history changed on each of ${MAX_ROUNDS} rounds`);
}

/** A store fault stops the delivery as the ledger's does: the queue delivers it again. */
async function historyCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new LedgerUnavailableError('the deployment history could not be read or written', { cause });
  }
}
