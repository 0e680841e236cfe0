import type * as z from 'zod/mini';
import type { ForgeClient, ForgeCredentials, RepositoryLocation } from './forge.js';
import type { ProbeContext, ProbeResult } from './probe.js';

/** Provider fields that one forge reads beyond Flux's own, each optional. */
export type OptionsShape = Record<string, z.ZodMiniOptional>;

/**
 * What a forge offers beyond commit statuses; the config refuses a route that asks for more, and the
 * forge's client implements each one it claims.
 */
export interface ForgeCapabilities {
  /** Change-request comments (Flux's pull- and merge-request comment providers). */
  changeRequestComments?: true;
  /** Deployments with statuses per environment (GitHub Deployments). */
  deployments?: true;
  /** An environment's promotion signal as a `repository_dispatch` event. */
  repositoryDispatch?: true;
}

/**
 * Everything the service knows of one forge, in its own folder. The address parser and the options
 * are small and load eagerly, so that `npm start` and `cdk synth` refuse a wrong Provider; the client
 * loads on first use, so a deployment that only talks to GitHub never pays for GitLab's library.
 */
export interface ForgeDescriptor<L extends RepositoryLocation, O extends OptionsShape> {
  /** The forge's name in messages and docs. */
  label: string;
  parseAddress(address: string, apiUrl?: string): L;
  /** The web path from a repository's page to one of its commits (`/commit/`), before the SHA. */
  commitPath: string;
  capabilities: ForgeCapabilities;
  /** Where the forge cuts a status's description, if it does: what it shows is compared. */
  descriptionLimit?: number;
  options: O;
  /** The forge names a status by Flux's `summary` as well as by its context (Azure DevOps' genre). */
  namesStatusBySummary?: true;
  loadClient(): Promise<{
    createClient(location: L, credentials: ForgeCredentials, options: OptionsOf<O>): ForgeClient;
    /** The self-test's question, answered without writing: may these credentials write statuses? */
    probe(location: L, credentials: ForgeCredentials, context: ProbeContext): Promise<ProbeResult>;
  }>;
}

export type OptionsOf<O extends OptionsShape> = { [K in keyof O]?: z.infer<O[K]> };

/** Infers a descriptor's types from its parts, so each forge states them once. */
export function defineForge<L extends RepositoryLocation, O extends OptionsShape = Record<never, never>>(
  descriptor: ForgeDescriptor<L, O>,
): ForgeDescriptor<L, O> {
  return descriptor;
}
