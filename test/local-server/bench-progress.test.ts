import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** `npm run bench` takes minutes: it says what it is doing on stderr as it goes, not all at the end. */
describe('npm run bench while it runs', () => {
  it('reports each step on stderr, with the time so far, before any table reaches stdout', async () => {
    // Its own process group, so that the children it starts stop with it.
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench.ts'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    try {
      for (let i = 0; i < 900 && (stderr.match(/cold import/g) ?? []).length < 2; i++) {
        await new Promise((done) => setTimeout(done, 100));
      }
    } finally {
      process.kill(-(child.pid as number), 'SIGKILL');
    }

    const lines = stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^bench \[\d+ s\] building the bundle and the floor as the stack does$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^bench \[\d+ s\] machine node v\d+\.\d+\.\d+: cold import 1\/11$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^bench \[\d+ s\] machine node v\d+\.\d+\.\d+: cold import 2\/11$/),
    );
    expect(stdout).toBe('');
  }, 120_000);
});
