import { existsSync } from 'node:fs';

/** Where Debian's `chromium` package puts the browser; `CHROMIUM_PATH` names another. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * The Chromium the browser tests drive through playwright-core (which downloads no browser), or the
 * reason there is none. Under CI=true a missing Chromium fails the run: `.ci/run` installs it.
 */
export function findChromium(): { path: string } | { problem: string; fatal: boolean } {
  const named = process.env.CHROMIUM_PATH;
  const path = [named, ...CANDIDATES].find((candidate) => candidate !== undefined && existsSync(candidate));
  if (path !== undefined) return { path };
  const looked = [named, ...CANDIDATES].filter(Boolean).join(', ');
  return {
    problem: `No Chromium found (looked at ${looked}): the browser tests of the details page need Debian's chromium package (apt-get install chromium) or CHROMIUM_PATH.`,
    fatal: process.env.CI === 'true',
  };
}
