import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { SPEC_FILES, SPECS_DIR, type SpecName, specForPrism, specsAvailable } from '../fakes/forge-specs.js';
import { type PrismProcess, startPrism } from '../fakes/prism.js';
import { lambdaNodeProblem } from './lambda-node.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Prism's URL per forge; empty when the descriptions are absent (outside this project's machines). */
    prism: Partial<Record<SpecName, string>>;
  }
}

/**
 * Ends the run with the message alone: an error thrown from here makes vitest also report
 * "No test files found" and a stack trace, which bury the message.
 */
function stop(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** One Prism per forge description for the whole run: each takes seconds to start. */
export default async function setup(project: TestProject) {
  const lambdaNode = lambdaNodeProblem();
  if (lambdaNode?.fatal) stop(lambdaNode.message);
  if (lambdaNode) process.stderr.write(`${lambdaNode.message}\n`);
  if (!specsAvailable()) {
    if (process.env.CI === 'true') {
      stop(`The forge API descriptions are missing from ${SPECS_DIR}; CI needs them (FORGE_SPECS_DIR).`);
    }
    process.stderr.write(
      `Forge API descriptions not found in ${SPECS_DIR}: contract tests will be skipped.\n`,
    );
    project.provide('prism', {});
    return;
  }
  const names = Object.keys(SPEC_FILES) as SpecName[];
  const started = await Promise.all(
    names.map(async (name) => [name, await startPrism(specForPrism(name))] as const),
  );
  project.provide('prism', Object.fromEntries(started.map(([name, prism]) => [name, prism.url])));
  return async () => {
    await Promise.all(started.map(([, prism]: readonly [SpecName, PrismProcess]) => prism.stop()));
  };
}
