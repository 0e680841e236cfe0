import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

/**
 * The one build of the Lambda bundle. The CDK stack and `npm run bench` both call `bundleHandler`, so
 * the bundle that is measured is the bundle that is deployed.
 */
export const HANDLER_ENTRY = 'functions/lambda/handler.ts';

export const BUNDLE = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  // The code runs on Node 20 here and on nodejs24.x in Lambda.
  target: 'node20',
  minify: true,
  sourcemap: true,
  // The maps keep every mapping for stack traces, but not the sources themselves: Node parses the whole
  // map on the first trace or import with --enable-source-maps (npm run bench: see README "Performance").
  sourcesContent: false,
  treeShaking: true,
  mainFields: ['module', 'main'],
  // Each forge client, the AWS SDK clients and Powertools Batch are loaded with import(); split into
  // chunks, a cold start reads only what its first request needs (npm run bench: 178 → about 55 ms).
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // Some dependencies still call require(); ESM output needs it defined.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** Builds the handler into `outDir` (its entry is `index.mjs`); esbuild from node_modules, no Docker. */
export function bundleHandler(outDir: string, entry: string = HANDLER_ENTRY): Metafile {
  const { metafile } = buildSync({
    ...BUNDLE,
    mainFields: [...BUNDLE.mainFields],
    entryPoints: [entry],
    outdir: outDir,
    metafile: true,
  });
  return metafile;
}
