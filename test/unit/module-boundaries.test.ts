import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FORGE_TYPES, FORGES } from '../../functions/forges/registry.js';

const CORE = new URL('../../functions/core/', import.meta.url);
const FORGES_DIR = new URL('../../functions/forges/', import.meta.url);

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
