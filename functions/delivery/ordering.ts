import { contentionBackoff } from '../core/compare-and-swap.js';
import { LedgerUnavailableError } from '../core/errors.js';
import {
  eventOrder,
  type LedgerItem,
  type ShownStatus,
  type StatusLedger,
  sameShown,
} from '../ledger/status-ledger.js';

export type OrderedOutcome = 'written' | 'duplicate' | 'superseded';

export interface OrderedDelivery {
  ledger: StatusLedger;
  key: string;
  eventTime: number;
  status: ShownStatus;
  /** The claim's order when it is not the event's own (`carriedOrder`); `eventOrder` otherwise. */
  order?: string;
  /** Unique to this attempt: the name under which it registers as a writer. */
  writerId: string;
  /** Epoch ms until which this attempt's forge write may still land. */
  writeExpiresAt: number;
  /**
   * Writes what the forge should show; resolves `duplicate` when the forge already showed it (its
   * own check, as Flux makes), and rejects when the forge fails. `forgeShows` is what the forge
   * shows when the ledger knows it (confirmed, nothing in flight), so the forge's check can be skipped.
   */
  write: (status: ShownStatus, forgeShows?: ShownStatus) => Promise<'written' | 'duplicate'>;
  now: () => number;
  /**
   * A resolution (functions/pending/) claims only over a claim this accepts, read in the same round
   * as the swap: a superseded commit's success never replaces its own verdict, whatever its time.
   * A resolution finds nothing to resolve where the ledger holds nothing.
   */
  replaces?: (claim: LedgerItem['claim']) => boolean;
  /** The status is a resolution's: its claim says so (`resolved`), and keeps saying it after the forge write. */
  resolved?: boolean;
}

/**
 * The ordering protocol: a late status is better than a wrong one.
 *
 * 1. Claim: unless the ledger holds an event at least as new, swap in this event's status as the
 *    claim, registering this attempt as a writer. A repeat with a newer time is a claim too, so
 *    the ledger's order always advances, and a repeat of what the forge already shows costs no call.
 * 2. Write the claim (this event's status, or a newer one another delivery claimed but has not
 *    confirmed) to the forge.
 * 3. Read again. If the claim changed meanwhile, write the new claim: the forge may show ours,
 *    which landed after it. Otherwise confirm, when no other writer is in flight, and leave.
 *
 * Every forge write is thus followed by a check by the same writer, so the last write to land is
 * always the newest claim's, in any interleaving of containers. The ledger failing stops the
 * delivery (LedgerUnavailableError) rather than write blind; the caller queues it. A lost swap
 * waits (`contentionBackoff`) before the next round, and too many give up with a passing fault.
 *
 * The first read is eventually consistent (half the read units of a re-send's): it may show an
 * earlier version, but every step taken on it is a swap on the version it showed, which succeeds only
 * if that version is still the item's, so a round that acts acts on the current item. A step that
 * would leave without a swap (nothing to do, or nothing to resolve) is taken only on a strongly
 * consistent read, and so is every read after a swap.
 */
export async function deliverInOrder(delivery: OrderedDelivery): Promise<OrderedOutcome> {
  const { ledger, key, writerId } = delivery;
  const mine = {
    order: delivery.order ?? eventOrder(delivery.eventTime, delivery.status),
    status: delivery.status,
    ...(delivery.resolved === true ? { resolved: true as const } : {}),
  };
  let written: ShownStatus | undefined;
  let changedForge = false;
  const backoff = contentionBackoff('the ledger item');
  // A resolution may leave on its first read (nothing to resolve), so it reads strongly from the start.
  let consistent = delivery.replaces !== undefined;
  /**
   * The swap that checks the round's read. Every read after a swap is strong: after a failed one, so
   * that a stale read cannot fail the next swap too; after this writer's own, so that its check after
   * the forge write sees that swap.
   */
  const swap = async (expected: number | undefined, next: LedgerItem) => {
    consistent = true;
    return ledgerCall(() => ledger.swap(key, expected, next));
  };
  for (;;) {
    const item = await ledgerCall(() => ledger.read(key, { consistent }));
    if (item === undefined && delivery.replaces !== undefined) return 'superseded';
    const others = liveWriters(item, writerId, delivery.now());
    const claimed =
      item === undefined || (item.claim.order < mine.order && (delivery.replaces?.(item.claim) ?? true));
    const claim = claimed ? { ...mine, eventTime: delivery.eventTime } : item.claim;

    if (written !== undefined && sameShown(written, claim.status)) {
      // What this attempt wrote is still the newest claim: confirm it, and leave.
      const next = settle(item, claim, others);
      if (await swap(item?.version, next)) {
        // A newer event that shows the same is this event's status written; another is a repair.
        if (!sameShown(claim.status, mine.status)) return 'superseded';
        return changedForge ? 'written' : 'duplicate';
      }
      await backoff.conflict();
      continue;
    }
    if (item?.confirmed === true && Object.keys(others).length === 0 && written === undefined) {
      // The forge shows the ledger's claim, and nothing is in flight that could change that.
      if (!claimed) {
        // Leaving without a swap: only on what a strongly consistent read showed.
        if (!consistent) {
          consistent = true;
          continue;
        }
        return item.claim.order === mine.order ? 'duplicate' : 'superseded';
      }
      if (sameShown(item.claim.status, mine.status)) {
        const next = { ...item, claim, writers: others, version: item.version + 1 };
        if (await swap(item.version, next)) return 'duplicate';
        await backoff.conflict();
        continue;
      }
    }
    // The forge must be brought to the claim, ours or a newer one: register as its writer before the
    // write goes out. An older event helps too, even beside a live writer: that writer may be a dead
    // attempt whose write landed late, and no one else would come back to repair it.
    const next: LedgerItem = {
      claim,
      confirmed: false,
      writers: { ...others, [writerId]: delivery.writeExpiresAt },
      version: (item?.version ?? 0) + 1,
    };
    if (!(await swap(item?.version, next))) {
      await backoff.conflict();
      continue;
    }
    const known = item?.confirmed === true && Object.keys(others).length === 0 && written === undefined;
    // A failed write keeps this writer registered until it expires: a timed-out write may still
    // land, so no one may confirm before then. The claim stays unconfirmed; the next delivery writes.
    if ((await delivery.write(claim.status, known ? item.claim.status : undefined)) === 'written') {
      changedForge = true;
    }
    // Another claim since the last write means the forge is brought to it next: contention too.
    if (written !== undefined) await backoff.conflict();
    written = claim.status;
  }
}

/**
 * The item after this writer's check: this writer leaves (`others` never holds it), and the claim
 * is confirmed only when no other write may still land.
 */
function settle(
  item: LedgerItem | undefined,
  claim: LedgerItem['claim'],
  others: Record<string, number>,
): LedgerItem {
  return {
    claim,
    confirmed: Object.keys(others).length === 0,
    writers: others,
    version: (item?.version ?? 0) + 1,
  };
}

/** Writers other than this one whose writes may still land. */
function liveWriters(item: LedgerItem | undefined, self: string, now: number): Record<string, number> {
  const live: Record<string, number> = {};
  for (const [id, until] of Object.entries(item?.writers ?? {})) {
    if (id !== self && until > now) live[id] = until;
  }
  return live;
}

async function ledgerCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new LedgerUnavailableError('the delivery ledger could not be read or written', { cause });
  }
}
