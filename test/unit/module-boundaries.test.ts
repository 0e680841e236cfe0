import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FORGE_TYPES, FORGES } from '../../functions/forges/registry.js';

const CORE = new URL('../../functions/core/', import.meta.url);
const FORGES_DIR = new URL('../../functions/forges/', import.meta.url);
const FUNCTIONS = fileURLToPath(new URL('../../functions/', import.meta.url));

/**
 * The function's folders, lowest first, in levels: each imports only folders of a lower level. The
 * stores, queues and secret sources need only core; the forges their secrets; the config its forges.
 * `expressions` compile the config's routes, beside the deliveries, which never read them. The
 * pending statuses and the webhook's path sit above the deliveries they use, the commit ranges above
 * the pending index, and the fleet (whose roll-ups mark ranges too) above them all; the webhook no
 * longer composes anything: `service` does, and the Lambda and the local server run it.
 */
const FOLDER_LEVELS = [
  ['core'],
  ['ledger', 'queue', 'secrets'],
  ['forges'],
  ['config'],
  ['delivery', 'expressions'],
  ['details'],
  ['pending', 'webhook'],
  ['ranges'],
  ['fleet'],
  ['service'],
  ['lambda', 'local'],
] as const;
const FOLDERS: readonly string[] = FOLDER_LEVELS.flat();
const levelOf = (folder: string) =>
  FOLDER_LEVELS.findIndex((level) => (level as readonly string[]).includes(folder));

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

/** Every module specifier a file imports statically (`import … from`, `export … from`). */
function staticImportsOf(source: string): string[] {
  return [...source.matchAll(/(?:^|\n)(?:import|export)\b[^;]*?\bfrom\s*'([^']+)'/g)].map(
    (match) => match[1] as string,
  );
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
            (specifier) =>
              relative(FUNCTIONS, join(dirname(join(FUNCTIONS, file)), specifier)).split('/')[0] as string,
          )
          .filter((target) => target !== folder && levelOf(target) >= levelOf(folder))
          .map((target) => `${file} imports ${target}/`),
      ),
    );

    // Assess: every folder has its place, and nothing reaches up.
    expect([...folders].sort()).toEqual([...FOLDERS].sort());
    expect(upward).toEqual([]);
  });

  it('has no import cycle between files: no file reaches itself through what it imports', () => {
    // Prepare: every file's static imports of other files of the function, type-only ones included.
    // A lazy `import()` (a descriptor loading its client on first use) is no edge: it runs after both
    // modules are evaluated.
    const files = readdirSync(FUNCTIONS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => filesUnder(entry.name));
    const graph = new Map(
      files.map((file) => [
        file,
        staticImportsOf(readFileSync(join(FUNCTIONS, file), 'utf8'))
          .filter((specifier) => specifier.startsWith('.'))
          .map((specifier) => relative(FUNCTIONS, join(dirname(join(FUNCTIONS, file)), specifier)))
          .map((target) => target.replace(/\.js$/, '.ts')),
      ]),
    );

    // Act: a depth-first walk; a file met again while it is still on the path closes a cycle.
    const cycles: string[] = [];
    const done = new Set<string>();
    const path: string[] = [];
    const visit = (file: string) => {
      if (done.has(file)) return;
      const at = path.indexOf(file);
      if (at >= 0) {
        cycles.push([...path.slice(at), file].join(' -> '));
        return;
      }
      path.push(file);
      for (const target of graph.get(file) ?? []) visit(target);
      path.pop();
      done.add(file);
    };
    for (const file of files) visit(file);

    // Assess
    expect(graph.size).toBeGreaterThan(100);
    expect([...graph.values()].flat().every((target) => graph.has(target))).toBe(true);
    expect(cycles).toEqual([]);
  });

  it('names every factory create*: an exported function named for what it makes starts with create', () => {
    // Prepare: what a factory here makes is named by these endings (a delivery, a runner, a sender...).
    const made =
      /(Delivery|Sweep|Runner|Consumer|Sender|Service|Handler|Observer|Tracking|Reports?|Fetch|Requester|Strategy|Pipeline|Relay|Redelivery)$/;
    const files = readdirSync(FUNCTIONS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => filesUnder(entry.name));

    // Act
    const names = files.flatMap((file) =>
      [...readFileSync(join(FUNCTIONS, file), 'utf8').matchAll(/^export (?:async )?function (\w+)/gm)].map(
        (match) => `${file}: ${match[1]}`,
      ),
    );
    const misnamed = names.filter((name) => made.test(name) && !/: create[A-Z]/.test(name));

    // Assess
    expect(names.filter((name) => made.test(name)).length).toBeGreaterThan(20);
    expect(misnamed).toEqual([]);
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
