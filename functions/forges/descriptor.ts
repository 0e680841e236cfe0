import type * as z from 'zod/mini';
import type { ForgeClient, ForgeCredentials, RepositoryLocation } from './forge.js';

/** Provider fields that one forge reads beyond Flux's own, each optional. */
export type OptionsShape = Record<string, z.ZodMiniOptional>;

/**
 * Everything the service knows of one forge, in its own folder. The address parser and the options
 * are small and load eagerly, so that `npm start` and `cdk synth` refuse a wrong Provider; the client
 * loads on first use, so a deployment that only talks to GitHub never pays for GitLab's library.
 */
export interface ForgeDescriptor<L extends RepositoryLocation, O extends OptionsShape> {
  /** The forge's name in messages and docs. */
  label: string;
  parseAddress(address: string, apiUrl?: string): L;
  /** Where the forge cuts a status's description, if it does: what it shows is compared. */
  descriptionLimit?: number;
  options: O;
  /** The forge names a status by Flux's `summary` as well as by its context (Azure DevOps' genre). */
  namesStatusBySummary?: true;
  loadClient(): Promise<{
    createClient(location: L, credentials: ForgeCredentials, options: OptionsOf<O>): ForgeClient;
  }>;
}

export type OptionsOf<O extends OptionsShape> = { [K in keyof O]?: z.infer<O[K]> };

/** Infers a descriptor's types from its parts, so each forge states them once. */
export function defineForge<L extends RepositoryLocation, O extends OptionsShape = Record<never, never>>(
  descriptor: ForgeDescriptor<L, O>,
): ForgeDescriptor<L, O> {
  return descriptor;
}
