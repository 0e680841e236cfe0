import { truncate } from '../core/text.js';
import { FORGES, type ForgeType } from '../forges/registry.js';

/**
 * A description as the forge will show it: two roll-ups that differ only past the forge's cut are
 * the same status there, so the ordering protocol finds the second a duplicate and writes nothing.
 */
export function shownDescription(forge: ForgeType, description: string): string {
  const limit: number | undefined = FORGES[forge].descriptionLimit;
  return limit === undefined ? description : truncate(description, limit);
}
