import { describe, expect, it } from 'vitest';
import { startScript } from '../harness/run-script.js';

/** `npm run bench` takes minutes: it says what it is doing on stderr as it goes, not all at the end. */
describe('npm run bench while it runs', () => {
  it('reports each step on stderr, with the time so far, before any table reaches stdout', async () => {
    const bench = startScript('scripts/bench.ts', []);
    try {
      await bench.waitFor(/cold import 2\//, 900);
    } finally {
      process.kill(-(bench.child.pid as number), 'SIGKILL');
    }
    const stderr = bench.stderr();
    const stdout = bench.stdout();

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
