import { describe, expect, it } from 'vitest';
import { canComment, canDeploy, canDispatch } from '../../functions/forges/forge.js';
import {
  commitPageUrl,
  createForgeClient,
  FORGE_TYPES,
  FORGES,
  forgeCan,
} from '../../functions/forges/registry.js';
import { SPEC_FILES } from '../fakes/forge-specs.js';
import { FORGE_PROFILES } from '../harness/forges/index.js';

/** A forge added to the registry is not done until each of these holds. */
describe.each(FORGE_TYPES)('the %s forge', (type) => {
  it('has its test entry, for its own type', () => {
    expect(FORGE_PROFILES[type].type).toBe(type);
    expect(FORGE_PROFILES[type].addresses.accepted.length).toBeGreaterThan(0);
    expect(FORGE_PROFILES[type].addresses.refused.length).toBeGreaterThan(0);
  });

  it('has contract cases against its own official description', () => {
    const { contract } = FORGE_PROFILES[type];

    expect(contract.spec).toBe(type);
    expect(SPEC_FILES[contract.spec]).toMatch(/\.json$/);
    expect(Object.keys(contract.written).sort()).toEqual(['error', 'failure', 'pending', 'success']);
    expect(contract.violation.says.length).toBeGreaterThan(0);
  });

  it('has a client that does what its capabilities claim, and no more', async () => {
    const [address, apiUrl] = FORGE_PROFILES[type].addresses.accepted[0] ?? [''];
    const client = await createForgeClient({ type, address, apiUrl }, { token: 'unused-token' });

    expect(canComment(client)).toBe(forgeCan(type, 'changeRequestComments'));
    expect(canDeploy(client)).toBe(forgeCan(type, 'deployments'));
    expect(canDispatch(client)).toBe(forgeCan(type, 'repositoryDispatch'));
  });

  it('links a commit under its repository’s page', () => {
    const [address, apiUrl] = FORGE_PROFILES[type].addresses.accepted[0] ?? [''];
    const url = commitPageUrl({ type, address, apiUrl }, 'a'.repeat(40));
    const webUrl = FORGES[type].parseAddress(address, apiUrl).webUrl;

    expect(url.startsWith(`${webUrl}/`)).toBe(true);
    expect(url.endsWith(`/${'a'.repeat(40)}`)).toBe(true);
  });
});

describe('the forge capabilities', () => {
  it('are offered by no unknown type', () => {
    expect(forgeCan('sourcehut', 'changeRequestComments')).toBe(false);
    expect(forgeCan(undefined, 'deployments')).toBe(false);
    expect(forgeCan('toString', 'deployments')).toBe(false);
  });

  it('name what each forge offers beyond commit statuses', () => {
    const offered = Object.fromEntries(
      FORGE_TYPES.map((type) => [
        type,
        (['changeRequestComments', 'deployments', 'repositoryDispatch'] as const).filter((capability) =>
          forgeCan(type, capability),
        ),
      ]),
    );

    expect(offered).toEqual({
      github: ['changeRequestComments', 'deployments', 'repositoryDispatch'],
      gitlab: ['changeRequestComments'],
      gitea: ['changeRequestComments'],
      bitbucket: [],
      bitbucketserver: [],
      azuredevops: [],
    });
  });
});
