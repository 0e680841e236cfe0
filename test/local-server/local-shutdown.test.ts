import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixture, sign, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { startScript } from '../harness/run-script.js';

/** `npm start` on a forge that does not answer: the delivery waits in the queue, then Ctrl-C. */
describe('npm start stopped with deliveries still queued', () => {
  it('prints the send-example command for its own port and files, and reports what it drops at shutdown', async () => {
    // Prepare: a route whose forge nothing listens for (port 9, discard), so the delivery is queued.
    const folder = mkdtempSync(join(tmpdir(), 'fcs-shutdown-'));
    const configFile = join(folder, 'own.json');
    const secretsFile = join(folder, 'own-secrets.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        routes: [
          {
            id: 'prod-eu-1',
            auth: { secret: 'own/webhook' },
            provider: {
              type: 'github',
              address: 'https://github.com/acme/fleet-infra',
              apiUrl: 'http://127.0.0.1:9',
              secret: 'own/github',
            },
          },
        ],
      }),
    );
    writeFileSync(
      secretsFile,
      JSON.stringify({ 'own/webhook': { token: WEBHOOK_KEY }, 'own/github': { token: 'ghp_unused' } }),
    );
    const server = startScript('functions/local/server.ts', [], {
      PORT: '0',
      CONFIG: configFile,
      SECRETS_FILE: secretsFile,
    });
    try {
      await server.waitFor(/Send a signed example event with: .*\n/);
      const output = server.output;
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output())?.[1] ?? '';

      // Act
      const body = fixture(FIXTURES.reconciled);
      const answer = await fetch(`http://127.0.0.1:${port}/hooks/prod-eu-1`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-signature': sign(body) },
      });
      server.child.kill('SIGINT');
      const code = await server.exited;

      // Assess
      expect(output()).toContain(
        `Send a signed example event with: PORT=${port} CONFIG=${configFile} SECRETS_FILE=${secretsFile} npm run -s send-example\n`,
      );
      expect(answer.status).toBe(202);
      expect(code).toBe(0);
      const line = output()
        .split('\n')
        .find((text) => text.includes('"deliveries dropped at shutdown"'));
      expect(JSON.parse(line ?? '{}')).toMatchObject({
        level: 'WARN',
        count: 1,
        deliveries: [
          {
            route: 'prod-eu-1',
            object: 'Kustomization/flux-system/apps',
            sha: 'df277975d2783b0e7fd4d0487d990bd60442923c',
            context: 'kustomization/apps/prod-eu-1',
            state: 'success',
            nextAttempt: 2,
            dueAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          },
        ],
      });
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
