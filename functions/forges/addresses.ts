import { parseAzureDevOpsAddress } from './azuredevops/address.js';
import { parseBitbucketAddress } from './bitbucket/address.js';
import { parseBitbucketServerAddress } from './bitbucketserver/address.js';
import { parseGiteaAddress } from './gitea/address.js';
import { parseGitHubAddress } from './github/address.js';
import { parseGitLabAddress } from './gitlab/address.js';

/**
 * The address parser of every forge. They are small and pure, so they load eagerly: the config schema
 * uses them to refuse a wrong Provider address at start-up and at `cdk synth`, not at the first event.
 */
export const ADDRESS_PARSERS = {
  github: parseGitHubAddress,
  gitlab: parseGitLabAddress,
  gitea: parseGiteaAddress,
  bitbucket: parseBitbucketAddress,
  bitbucketserver: parseBitbucketServerAddress,
  azuredevops: parseAzureDevOpsAddress,
} as const;

export type ForgeType = keyof typeof ADDRESS_PARSERS;
export type LocationOf<T extends ForgeType> = ReturnType<(typeof ADDRESS_PARSERS)[T]>;

export const FORGE_TYPES = Object.keys(ADDRESS_PARSERS) as [ForgeType, ...ForgeType[]];

export function parseProviderAddress<T extends ForgeType>(
  type: T,
  address: string,
  apiUrl?: string,
): LocationOf<T> {
  return ADDRESS_PARSERS[type](address, apiUrl) as LocationOf<T>;
}
