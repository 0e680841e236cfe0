import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitPageUrl, FORGE_TYPES, FORGES, forgeCan } from '../../functions/forges/registry.js';
import { SPEC_FILES } from '../fakes/forge-specs.js';
import { FORGE_PROFILES } from '../harness/forges/index.js';

const CONTRACT_DIR = join(import.meta.dirname, '../contract');
const CONTRACT_TESTS = readdirSync(CONTRACT_DIR)
  .filter((file) => file.endsWith('.contract.test.ts'))
  .map((file) => ({ file, text: readFileSync(join(CONTRACT_DIR, file), 'utf8') }));

/** A contract test serves the forge's own description under Prism: it asks for that Prism by name. */
function contractTestsOf(type: string): string[] {
  const asks = new RegExp(String.raw`prismFor\('${type}'\)|inject\('prism'\)\.${type}\b`);
  return CONTRACT_TESTS.filter(({ text }) => asks.test(text)).map(({ file }) => file);
}

/** A forge added to the registry is not done until each of these holds. */
describe.each(FORGE_TYPES)('the %s forge', (type) => {
  it('has its test entry, for its own type', () => {
    expect(FORGE_PROFILES[type].type).toBe(type);
    expect(FORGE_PROFILES[type].addresses.accepted.length).toBeGreaterThan(0);
    expect(FORGE_PROFILES[type].addresses.refused.length).toBeGreaterThan(0);
  });

  it('has a contract test against its official description', () => {
    expect(SPEC_FILES[type]).toMatch(/\.json$/);
    expect(contractTestsOf(type)).not.toEqual([]);
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
  it('finds a forge without a contract test (the check itself can fail)', () => {
    expect(contractTestsOf('sourcehut')).toEqual([]);
  });

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
