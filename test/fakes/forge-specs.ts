import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ForgeType } from '../../functions/forges/registry.js';

/**
 * The forges' official API descriptions live in ../shared/specs (third-party files, never committed
 * here). FORGE_SPECS_DIR overrides the folder.
 */
export const SPECS_DIR = resolve(process.env.FORGE_SPECS_DIR ?? '../shared/specs');

export const SPEC_FILES = {
  github: 'github.json',
  gitlab: 'gitlab.json',
  gitea: 'gitea.json',
  bitbucket: 'bitbucket-cloud.json',
  bitbucketserver: 'bitbucket-server.json',
  azuredevops: 'azure-devops.json',
} as const satisfies Record<ForgeType, string>;

export type SpecName = keyof typeof SPEC_FILES;

export function specsAvailable(): boolean {
  return existsSync(join(SPECS_DIR, SPEC_FILES.github));
}

export interface ExtraConstraint {
  field?: string;
  maxLength?: number;
}

export function readSpec(
  name: SpecName,
): Record<string, unknown> & { 'x-contract': { extraConstraints: ExtraConstraint[] } } {
  return JSON.parse(readFileSync(join(SPECS_DIR, SPEC_FILES[name]), 'utf8'));
}

/**
 * A copy of a description with the quirks that stop Prism from judging real clients fairly, each
 * fixed as ../shared/specs/README.md explains; written to a temporary folder, never to the repo.
 */
export function specForPrism(name: SpecName): string {
  const spec = readSpec(name) as Record<string, any>;
  if (name === 'azuredevops') {
    // Operations declare only oauth2; the real service takes a PAT as Basic (the file's accessToken).
    for (const operations of Object.values(spec.paths as Record<string, Record<string, any>>)) {
      for (const operation of Object.values(operations)) {
        if (operation && typeof operation === 'object' && Array.isArray(operation.security)) {
          operation.security.push({ accessToken: [] });
        }
      }
    }
  }
  if (name === 'bitbucket') {
    // The generic `object` schema requires `type`, which the real service never asks of a client.
    const object = spec.components?.schemas?.object;
    if (object && Array.isArray(object.required)) {
      object.required = object.required.filter((field: string) => field !== 'type');
    }
  }
  const folder = join(tmpdir(), 'flux-commit-status-specs');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, SPEC_FILES[name]);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}
