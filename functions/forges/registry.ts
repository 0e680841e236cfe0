import { azureDevOps } from './azuredevops/descriptor.js';
import { bitbucket } from './bitbucket/descriptor.js';
import { bitbucketServer } from './bitbucketserver/descriptor.js';
import type { ForgeCapabilities, OptionsOf } from './descriptor.js';
import type { ForgeClient, ForgeCredentials } from './forge.js';
import { gitea } from './gitea/descriptor.js';
import { github } from './github/descriptor.js';
import { gitlab } from './gitlab/descriptor.js';
import type { ProbeResult } from './probe.js';

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

/**
 * Whether the forge offers this beyond commit statuses (its descriptor says so). Takes the type as
 * config input has it: an unknown one offers nothing, and the schema says it is unknown.
 */
export function forgeCan(type: unknown, capability: keyof ForgeCapabilities): boolean {
  return (
    typeof type === 'string' &&
    Object.hasOwn(FORGES, type) &&
    (FORGES[type as ForgeType].capabilities as ForgeCapabilities)[capability] === true
  );
}

/** The forges that offer this capability, for messages. */
export function forgesThatCan(capability: keyof ForgeCapabilities): ForgeType[] {
  return FORGE_TYPES.filter((type) => forgeCan(type, capability));
}

/** The web page of one commit of the Provider's repository. */
export function commitPageUrl(provider: ProviderSettings, sha: string): string {
  const forge = FORGES[provider.type];
  return `${forge.parseAddress(provider.address, provider.apiUrl).webUrl}${forge.commitPath}${sha}`;
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
  probe(
    location: unknown,
    credentials: ForgeCredentials,
    context: { now: number; label: string },
  ): Promise<ProbeResult>;
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

/** The self-test's question to the Provider's forge, asked by the forge's own client module. */
export async function probeForge(
  provider: ProviderSettings,
  credentials: ForgeCredentials,
  now: number,
): Promise<ProbeResult> {
  const forge = FORGES[provider.type];
  const location = forge.parseAddress(provider.address, provider.apiUrl);
  const module = (await forge.loadClient()) as AnyForgeModule;
  return module.probe(location, credentials, { now, label: forge.label });
}
