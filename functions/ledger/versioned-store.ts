/** A record whose every change is a compare-and-swap on its `version`. */
export interface Versioned {
  version: number;
}

/**
 * The storage under every record the service keeps (status claims, roll-ups, pending commits, details
 * pages): a strongly consistent read and a compare-and-swap on `version`, in DynamoDB or in memory.
 */
export interface VersionedStore<T extends Versioned> {
  read(key: string): Promise<T | undefined>;
  /**
   * Stores `next` if the record is still at `expectedVersion` (absent for `undefined`). Resolves
   * false when another delivery changed it first; rejects when the store cannot answer.
   */
  swap(key: string, expectedVersion: number | undefined, next: T): Promise<boolean>;
}
