import { azureDevOps } from './azuredevops/descriptor.js';
import { bitbucket } from './bitbucket/descriptor.js';
import { bitbucketServer } from './bitbucketserver/descriptor.js';
import type { OptionsOf } from './descriptor.js';
import type { ForgeClient, ForgeCredentials } from './forge.js';
import { gitea } from './gitea/descriptor.js';
import { github } from './github/descriptor.js';
import { gitlab } from './gitlab/descriptor.js';

/**
 * Every forge, by its Provider `type`. Each other list of forges, in code and in tests, is a
 * `Record<ForgeType, …>` or is derived from this one, so tsc names what a new forge still lacks.
 */
export const FORGES = {
  github,
  gitlab,
  gitea,
  bitbucket,
  bitbucketserver: bitbucketServer,
  azuredevops: azureDevOps,
} as const;

export type ForgeType = keyof typeof FORGES;
export type LocationOf<T extends ForgeType> = ReturnType<(typeof FORGES)[T]['parseAddress']>;

export const FORGE_TYPES = Object.keys(FORGES) as [ForgeType, ...ForgeType[]];

type Intersection<U> = (U extends unknown ? (all: U) => void : never) extends (all: infer I) => void
  ? I
  : never;

/** The Provider fields of every forge's own options, for the config schema. */
export const FORGE_OPTIONS = Object.assign(
  {},
  ...FORGE_TYPES.map((type) => FORGES[type].options),
) as Intersection<(typeof FORGES)[ForgeType]['options']>;

/** Whether `summary` is part of a status's identity on this forge; elsewhere it is not sent at all. */
export function namesStatusBySummary(type: ForgeType): boolean {
  return (FORGES[type] as { namesStatusBySummary?: true }).namesStatusBySummary === true;
}

/** The forges that read a Provider field of their own. */
export function forgesWithOption(field: string): ForgeType[] {
  return FORGE_TYPES.filter((type) => Object.hasOwn(FORGES[type].options, field));
}

export function parseProviderAddress<T extends ForgeType>(
  type: T,
  address: string,
  apiUrl?: string,
): LocationOf<T> {
  return FORGES[type].parseAddress(address, apiUrl) as LocationOf<T>;
}

/** Where a route writes: a Provider's fields, the forges' own options included. */
export type ProviderSettings = {
  type: ForgeType;
  address: string;
  apiUrl?: string | undefined;
} & OptionsOf<typeof FORGE_OPTIONS>;

type AnyForgeModule = {
  createClient(
    location: unknown,
    credentials: ForgeCredentials,
    options: Record<string, unknown>,
  ): ForgeClient;
};

export async function createForgeClient(
  provider: ProviderSettings,
  credentials: ForgeCredentials,
): Promise<ForgeClient> {
  const forge = FORGES[provider.type];
  const location = forge.parseAddress(provider.address, provider.apiUrl);
  const options: Record<string, unknown> = {};
  for (const field of Object.keys(forge.options)) {
    const value = (provider as Record<string, unknown>)[field];
    if (value !== undefined) options[field] = value;
  }
  // The descriptor ties the module's location and options to this forge's; the record forgets that.
  const module = (await forge.loadClient()) as AnyForgeModule;
  return module.createClient(location, credentials, options);
}
