import { describe, expect, it } from 'vitest';
import { parseEnvironmentConfig } from '../../functions/config/environment-config.js';
import { AddressError } from '../../functions/forges/git-address.js';
import { FORGE_TYPES, parseProviderAddress } from '../../functions/forges/registry.js';
import { FORGE_PROFILES } from '../harness/forges/index.js';

/** Each forge's address cases live in its test entry, `test/harness/forges/<type>.ts`. */
describe.each(FORGE_TYPES)('%s addresses', (type) => {
  const { accepted, refused } = FORGE_PROFILES[type].addresses;

  it.each(accepted)('reads %s (apiUrl %s)', (address, apiUrl, location) => {
    expect(parseProviderAddress(type, address, apiUrl)).toMatchObject(location);
  });

  it.each(refused)('refuses %s (apiUrl %s) with a clear message', (address, apiUrl, message) => {
    const parse = () => parseProviderAddress(type, address, apiUrl);

    expect(parse).toThrow(AddressError);
    expect(parse).toThrow(message);
  });
});

describe('a wrong address in the config', () => {
  it('fails when the config is loaded, naming the route and the field', () => {
    const config = {
      routes: [
        {
          id: 'eu',
          auth: { secret: 'webhook' },
          provider: { type: 'azuredevops', address: 'https://dev.azure.com/acme/platform', secret: 'azure' },
        },
      ],
    };

    expect(() => parseEnvironmentConfig(JSON.stringify(config), 'prod.json')).toThrow(
      /prod\.json: .*routes\[0\]\.provider\.address: .*dev\.azure\.com\/<org>\/<project>\/_git\/<repo>/,
    );
  });
});
