import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      // GitHub's one-write-a-second spacing would only slow the fakes down.
      GITHUB_WRITE_SPACING_MS: '0',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  },
});
