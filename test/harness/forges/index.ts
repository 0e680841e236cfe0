import { FORGE_TYPES, type ForgeType } from '../../../functions/forges/registry.js';
import type { SpecCheckedFake } from '../../fakes/fake-forge.js';
import type { ForgeProfile } from '../forge-behaviour.js';
import type { ContractProfile } from '../forge-contract.js';

type Accepted = [address: string, apiUrl: string | undefined, location: Record<string, unknown>];
type Refused = [address: string, apiUrl: string | undefined, message: RegExp];

/**
 * One forge's tests in one file, `<type>.ts` beside this one: its behaviour profile, its addresses and
 * its contract cases.
 */
export interface ForgeEntry<F extends SpecCheckedFake> extends ForgeProfile<F> {
  /** Provider addresses the parser reads (with what it reads) and refuses (with what it says). */
  addresses: { accepted: Accepted[]; refused: Refused[] };
  /** The client against the forge's official description under Prism (test/contract/forges.contract.test.ts). */
  contract: Omit<ContractProfile, 'type'>;
}

/**
 * Every registered forge's entry, found by its type's file name: a forge added to the registry
 * without one fails every test that reads this list, at import.
 */
export const FORGE_PROFILES = Object.fromEntries(
  await Promise.all(
    FORGE_TYPES.map(async (type) => {
      const module = (await import(/* @vite-ignore */ `./${type}.js`)) as {
        profile: ForgeEntry<SpecCheckedFake>;
      };
      return [type, module.profile] as const;
    }),
  ),
) as { [T in ForgeType]: ForgeEntry<SpecCheckedFake> };
