import { describe } from 'vitest';
import { FORGE_TYPES } from '../../functions/forges/registry.js';
import { contractCases, prismFor } from '../harness/forge-contract.js';
import { FORGE_PROFILES } from '../harness/forges/index.js';

/**
 * Every registered forge's client, through the real handler, against the forge's official
 * description served by Prism: the cases are in its entry in `test/harness/forges/`.
 */
for (const type of FORGE_TYPES) {
  const { contract } = FORGE_PROFILES[type];
  const prism = prismFor(contract.spec);
  describe.skipIf(prism === undefined)(contract.title, () => {
    contractCases({ ...contract, type }, prism as string);
  });
}
