import type { Route } from '../config/route-schema.js';
import { ledgerKey } from '../ledger/status-ledger.js';

export const ROLLUP_PENDING_PREFIX = 'pending|rollup|';

/**
 * The pending index item of one roll-up context across commits: the same store and rules as a
 * cluster's pending statuses, under a key no route's item has.
 */
export function rollupPendingKey(route: Route, environment: string, context: string): string {
  const { type, apiUrl, address } = route.provider;
  return `${ROLLUP_PENDING_PREFIX}${ledgerKey([type, apiUrl ?? '', address, environment, context])}`;
}
