import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** vitest itself, as `npm test` runs it, under CI=true with the forge descriptions absent. */
describe('a CI run without the forge descriptions', () => {
  it('ends with the reason alone and a failing exit code', async () => {
    const run = promisify(execFile)(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', 'test/unit/revision.test.ts'],
      { env: { ...process.env, CI: 'true', FORGE_SPECS_DIR: '/nonexistent/specs' }, timeout: 25_000 },
    );

    const failure = await run.then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );

    expect(failure?.code).toBe(1);
    // Elsewhere than linux x64, the note that the Node.js 24 tests are skipped comes first.
    expect(failure?.stderr.split('\n').slice(-2)).toEqual([
      'The forge API descriptions are missing from /nonexistent/specs; CI needs them (FORGE_SPECS_DIR).',
      '',
    ]);
    expect(failure?.stderr).not.toMatch(/No test files found|Error|❯/);
  });
});
