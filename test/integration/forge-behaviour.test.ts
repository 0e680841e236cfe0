import { describe } from 'vitest';
import { FORGE_TYPES } from '../../functions/forges/registry.js';
import { rangeBehaviour, sharedBehaviour, useForge } from '../harness/forge-behaviour.js';
import { FORGE_PROFILES } from '../harness/forges/index.js';

/**
 * The shared behaviour suite on every registered forge, each on its stateful fake judged by the
 * forge's official description: a new forge runs it from its entry in `test/harness/forges/`.
 * What one forge alone does is tested in its own `<forge>-behaviour.test.ts`.
 */
describe.each(FORGE_TYPES)('%s through the relay (shared behaviour)', (type) => {
  const profile = FORGE_PROFILES[type];
  const forge = useForge(profile);
  sharedBehaviour(profile, forge);
  rangeBehaviour(profile, forge);
});
