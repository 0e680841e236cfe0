import { LedgerUnavailableError } from '../core/errors.js';

/**
 * The one fault wrapper of the shared stores: any failure of a read or a swap stops the delivery as
 * a passing fault (LedgerUnavailableError), which Flux's retry or the queue delivers again, rather
 * than write blind. `what` names the store in the message: "the pending index".
 */
export async function storeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new LedgerUnavailableError(`${what} could not be read or written`, { cause });
  }
}

/** A call to the delivery ledger (statuses and roll-up records). */
export function ledgerCall<T>(call: () => Promise<T>): Promise<T> {
  return storeCall('the delivery ledger', call);
}
