import { CONFLICT, compareAndSwap } from '../core/compare-and-swap.js';
import { ClaimInFlightError } from '../core/errors.js';
import type { RollupLedger, RollupRecord } from '../ledger/rollup-ledger.js';
import { ledgerCall } from '../ledger/store-call.js';

/** What the promotion signal says: GitHub's `client_payload`, and the generic webhook's body. */
export interface PromotionPayload {
  environment: string;
  object: { kind: string; namespace: string; name: string };
  sha: string;
  ref?: string;
  clusters: string[];
}

export type SendPromotion = (payload: PromotionPayload) => Promise<void>;

export type PromotionOutcome = 'sent' | 'already-sent' | 'not-success';

export interface PromotionClaim {
  rollups: RollupLedger;
  key: string;
  /** Whether every cluster's verdict is still success, read anew just before the claim. */
  stillGreen: () => Promise<boolean>;
  payload: PromotionPayload;
  /** Unique to this attempt. */
  claimId: string;
  /** Epoch ms until which this attempt's send may still land: no one else sends before. */
  leaseUntil: number;
  now: () => number;
  send: SendPromotion;
}

/**
 * Sends the promotion signal once per roll-up record: claim it by compare-and-swap (with a lease),
 * send, mark it sent. A delivery that finds another's live claim fails with a passing fault, so the
 * queue brings it back to find the signal sent, or the lease expired and the signal still owed. A
 * failed send releases the claim and fails the delivery, which the queue retries.
 *
 * The one window left: a container that dies after the receiver took the signal and before it was
 * marked sent leaves a claim that expires, and the next delivery sends it again. The signal is then
 * at least once; a receiver that must not act twice dedupes on (environment, object, sha).
 */
export async function promoteOnce(claim: PromotionClaim): Promise<PromotionOutcome> {
  const { rollups, key, claimId } = claim;
  const claimed = await compareAndSwap('the roll-up record', async () => {
    const record = await ledgerCall(() => rollups.read(key));
    if (record === undefined) return 'not-success' as const;
    if (record.promotion?.state === 'sent') return 'already-sent' as const;
    // A cluster may have failed since the caller's read: no promotion of what is no longer green.
    if (!(await claim.stillGreen())) return 'not-success' as const;
    const held = record.promotion;
    if (held?.state === 'claimed' && held.claimId !== claimId && held.until > claim.now()) {
      throw new ClaimInFlightError(
        'another delivery is sending the promotion signal; this one will look again from the retry queue',
      );
    }
    const next: RollupRecord = {
      ...record,
      promotion: { state: 'claimed', claimId, until: claim.leaseUntil },
      version: record.version + 1,
    };
    return (await ledgerCall(() => rollups.swap(key, record.version, next)))
      ? ('claimed' as const)
      : CONFLICT;
  });
  if (claimed !== 'claimed') return claimed;
  try {
    await claim.send(claim.payload);
  } catch (error) {
    await release(claim).catch(() => undefined);
    throw error;
  }
  await settle(claim, () => ({ state: 'sent', at: claim.now() }));
  return 'sent';
}

/** Changes this attempt's claim; leaves the record alone once the claim is no longer its own. */
function settle(claim: PromotionClaim, change: () => RollupRecord['promotion']): Promise<void> {
  return compareAndSwap('the roll-up record', async () => {
    const record = await ledgerCall(() => claim.rollups.read(claim.key));
    const held = record?.promotion;
    if (record === undefined || held?.state !== 'claimed' || held.claimId !== claim.claimId) return;
    const next: RollupRecord = { ...record, version: record.version + 1 };
    const promotion = change();
    if (promotion === undefined) delete next.promotion;
    else next.promotion = promotion;
    return (await ledgerCall(() => claim.rollups.swap(claim.key, record.version, next)))
      ? undefined
      : CONFLICT;
  });
}

/** After a failed send: the next delivery may claim at once instead of waiting out the lease. */
function release(claim: PromotionClaim): Promise<void> {
  return settle(claim, () => undefined);
}
