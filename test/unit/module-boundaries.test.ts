import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FORGE_TYPES, FORGES } from '../../functions/forges/registry.js';

const CORE = new URL('../../functions/core/', import.meta.url);
const FORGES_DIR = new URL('../../functions/forges/', import.meta.url);
const FUNCTIONS = fileURLToPath(new URL('../../functions/', import.meta.url));

/**
 * The function's folders, lowest first: each imports only folders before it. The fleet's roll-ups
 * sit above the deliveries and pending statuses they use; the webhook composes everything.
 */
const FOLDER_ORDER = [
  'core',
  'secrets',
  'forges',
  'config',
  'expressions',
  'ledger',
  'queue',
  'delivery',
  'details',
  'pending',
  'fleet',
  'webhook',
  'local',
] as const;

/** Every TypeScript file under a folder, as paths relative to functions/. */
function filesUnder(folder: string): string[] {
  return readdirSync(join(FUNCTIONS, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(FUNCTIONS, join(entry.parentPath, entry.name)));
}

/** Every module specifier a file imports, static or dynamic. */
function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1] as string);
}

describe('module boundaries', () => {
  it('keeps core free of forges, config, AWS and every other folder of the function', () => {
    // Prepare
    const files = readdirSync(CORE).filter((name) => name.endsWith('.ts'));

    // Act
    const outside = files.flatMap((name) =>
      importsOf(readFileSync(new URL(name, CORE), 'utf8'))
        .filter((specifier) => !specifier.startsWith('./') && !/^(node:|zod)/.test(specifier))
        .map((specifier) => `${name} imports ${specifier}`),
    );

    // Assess
    expect(files.length).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });

  it('keeps the folder order: no folder imports one above it', () => {
    // Prepare
    const folders = readdirSync(FUNCTIONS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);

    // Act
    const upward = folders.flatMap((folder) =>
      filesUnder(folder).flatMap((file) =>
        importsOf(readFileSync(join(FUNCTIONS, file), 'utf8'))
          .filter((specifier) => specifier.startsWith('.'))
          .map(
            (specifier) => relative(FUNCTIONS, join(dirname(join(FUNCTIONS, file)), specifier)).split('/')[0],
          )
          .filter((target) => {
            const rank = FOLDER_ORDER.indexOf(target as (typeof FOLDER_ORDER)[number]);
            return target !== folder && rank >= FOLDER_ORDER.indexOf(folder as (typeof FOLDER_ORDER)[number]);
          })
          .map((target) => `${file} imports ${target}/`),
      ),
    );

    // Assess: every folder has its place, and nothing reaches up.
    expect([...folders].sort()).toEqual([...FOLDER_ORDER].sort());
    expect(upward).toEqual([]);
  });

  it('has a descriptor in its own folder for every forge, and a folder for no other', () => {
    const folders = readdirSync(FORGES_DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'http')
      .map((entry) => entry.name)
      .sort();

    expect(folders).toEqual([...FORGE_TYPES].sort());
    for (const type of FORGE_TYPES) {
      expect(readdirSync(new URL(`${type}/`, FORGES_DIR))).toContain('descriptor.ts');
      expect(FORGES[type].label).not.toBe('');
    }
  });

  it('gives every descriptor a client module that creates clients', async () => {
    for (const type of FORGE_TYPES) {
      const module = await FORGES[type].loadClient();
      expect(typeof module.createClient).toBe('function');
    }
  });
});
