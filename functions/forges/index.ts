import { type ForgeType, type LocationOf, parseProviderAddress } from './addresses.js';
import type { ForgeClient, ForgeCredentials, ForgeOptions } from './forge.js';

interface ForgeModule<T extends ForgeType> {
  createClient(location: LocationOf<T>, credentials: ForgeCredentials, options: ForgeOptions): ForgeClient;
}

/**
 * Each forge's client loads on first use, so a deployment that only talks to GitHub never pays for
 * GitLab's library at cold start.
 */
const LOADERS: { [T in ForgeType]: () => Promise<ForgeModule<T>> } = {
  github: () => import('./github/client.js'),
  gitlab: () => import('./gitlab/client.js'),
  gitea: () => import('./gitea/client.js'),
  bitbucket: () => import('./bitbucket/client.js'),
  bitbucketserver: () => import('./bitbucketserver/client.js'),
  azuredevops: () => import('./azuredevops/client.js'),
};

export interface ProviderSettings {
  type: ForgeType;
  address: string;
  apiUrl?: string | undefined;
  failureState?: ForgeOptions['failureState'];
}

export async function createForgeClient(
  provider: ProviderSettings,
  credentials: ForgeCredentials,
): Promise<ForgeClient> {
  const location = parseProviderAddress(provider.type, provider.address, provider.apiUrl);
  const module = (await LOADERS[provider.type]()) as ForgeModule<typeof provider.type>;
  const options: ForgeOptions =
    provider.failureState === undefined ? {} : { failureState: provider.failureState };
  return module.createClient(location, credentials, options);
}
