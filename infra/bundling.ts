/**
 * The one set of esbuild settings for the Lambda bundle. The CDK stack and `npm run bench` both build
 * with it, so the bundle that is measured is the bundle that is deployed.
 */
export const HANDLER_ENTRY = 'functions/webhook/handler.ts';

export const BUNDLE = {
  format: 'esm',
  platform: 'node',
  // The code runs on Node 20 here and on nodejs22.x (or later) in Lambda.
  target: 'node20',
  minify: true,
  sourcemap: true,
  treeShaking: true,
  mainFields: ['module', 'main'],
  // Some dependencies still call require(); ESM output needs it defined.
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
} as const;
