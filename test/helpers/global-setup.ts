import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { SPEC_FILES, SPECS_DIR, type SpecName, specForPrism, specsAvailable } from './forge-specs.js';
import { type PrismProcess, startPrism } from './prism.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Prism's URL per forge; empty when the descriptions are absent (outside this project's machines). */
    prism: Partial<Record<SpecName, string>>;
  }
}

/** One Prism per forge description for the whole run: each takes seconds to start. */
export default async function setup(project: TestProject) {
  if (!specsAvailable()) {
    if (process.env.CI === 'true') {
      throw new Error(
        `The forge API descriptions are missing from ${SPECS_DIR}; CI needs them (FORGE_SPECS_DIR).`,
      );
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
