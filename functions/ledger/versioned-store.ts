/** A record whose every change is a compare-and-swap on its `version`. */
export interface Versioned {
  version: number;
}

/**
 * The storage under every record the service keeps (status claims, roll-ups, pending commits, details
 * pages): a read and a compare-and-swap on `version`, in DynamoDB or in memory.
 */
export interface VersionedStore<T extends Versioned> {
  /**
   * Strongly consistent unless `consistent` is false: then it may return an earlier version (or none),
   * for half DynamoDB's read units. Only a caller whose every use of it is checked by a swap asks so.
   */
  read(key: string, options?: { consistent?: boolean }): Promise<T | undefined>;
  /**
   * Stores `next` if the record is still at `expectedVersion` (absent for `undefined`). Resolves
   * false when another delivery changed it first; rejects when the store cannot answer.
   */
  swap(key: string, expectedVersion: number | undefined, next: T): Promise<boolean>;
}
