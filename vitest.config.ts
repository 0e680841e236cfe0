import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      // GitHub's one-write-a-second spacing would only slow the fakes down.
      GITHUB_WRITE_SPACING_MS: '0',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // The SDK's notice that its 2027 releases need Node.js 22 is for the machine's Node, not for the
      // code: test/runtime runs the bundle on Node.js 24, as Lambda does.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
