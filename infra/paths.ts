import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. The app, its tests and the bundler resolve every path from here, not the cwd. */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** One `<environment>.json` per environment, read by the function and by the stack alike. */
export const CONFIG_DIR = resolve(PROJECT_ROOT, 'config');
