import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import type { RouteInput } from '../../functions/config/route-schema.js';
import { bundleHandler } from '../../infra/bundling.js';

export interface BuiltHandler {
  /** The entry file, with `routes.json` beside it as the stack deploys it. */
  file: string;
  /** The entry alone: what a cold start reads before its first request asks for more. */
  entryBytes: number;
  /** The entry and every chunk. */
  bytes: number;
  gzipBytes: number;
  /** The largest packages in the bundle: where its import time goes. */
  largest: { name: string; bytes: number }[];
}

/** `node_modules/@scope/name/…` → `@scope/name`; the project's own files → `(project)`. */
function packageOf(input: string): string {
  const parts = input.split('node_modules/').at(-1)?.split('/') ?? [];
  if (!input.includes('node_modules/')) return '(project)';
  return (parts[0]?.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

function largestPackages(metafile: Metafile, count: number) {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, size]) => ({ name, bytes: size }));
}

/**
 * Builds the Lambda bundle (or another entry: the floor) with exactly the stack's esbuild settings,
 * plus the bench's config.
 */
export async function buildHandler(
  outDir: string,
  routes: RouteInput[],
  entry?: string,
): Promise<BuiltHandler> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'index.mjs');
  const metafile = bundleHandler(outDir, entry);
  writeFileSync(join(outDir, 'routes.json'), JSON.stringify({ routes }, null, 2));
  const code = Object.keys(metafile.outputs)
    .filter((output) => output.endsWith('.mjs'))
    .map((output) => readFileSync(output));
  return {
    file,
    entryBytes: readFileSync(file).length,
    bytes: code.reduce((sum, chunk) => sum + chunk.length, 0),
    gzipBytes: code.reduce((sum, chunk) => sum + gzipSync(chunk).length, 0),
    largest: largestPackages(metafile, 8),
  };
}

/**
 * A child-process driver (`driver`, or the cost model's `container`), bundled on its own: plain node
 * runs it without a TypeScript loader.
 */
export async function buildDriver(outDir: string, name: 'driver' | 'container' = 'driver'): Promise<string> {
  const file = join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [new URL(`./${name}.ts`, import.meta.url).pathname],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  return file;
}
