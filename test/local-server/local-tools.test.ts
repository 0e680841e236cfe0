import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../functions/delivery/delivery-record.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FIXTURES, FORGE_TOKEN, fixture, sign } from '../harness/flux-fixtures.js';
import { script } from '../harness/run-script.js';
import { oneGitHubRoute, startTestServer } from '../harness/test-server.js';

describe('npm start with a secrets file that is not there', () => {
  it('refuses to start, naming the file, before any event', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'fcs-start-')), 'secrets.json');

    const result = await script('functions/local/server.ts', [], { PORT: '0', SECRETS_FILE: missing });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`the local secrets file ${missing} cannot be read (ENOENT)\n`);
    expect(result.stdout).not.toContain('listening');
  });

  it('refuses a secrets file that is not JSON', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'fcs-start-'));
    const broken = join(folder, 'secrets.json');
    writeFileSync(broken, '{"local/webhook": {"token": "half');

    const result = await script('functions/local/server.ts', [], { PORT: '0', SECRETS_FILE: broken });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`the local secrets file ${broken} is not valid JSON\n`);
    expect(result.stderr).not.toContain('half');
  });
});

/** `npm run send-example` on a config and secrets of one's own, as the server reads them. */
describe('npm run send-example', () => {
  const ROUTE_KEY = 'my-own-webhook-key-0123456789';
  const folder = mkdtempSync(join(tmpdir(), 'fcs-send-'));
  const configFile = join(folder, 'config.json');
  const secretsFile = join(folder, 'secrets.json');
  let github: FakeGitHub;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    github = await new FakeGitHub().start();
    const config = {
      routes: [
        {
          id: 'prod-eu-1',
          cluster: 'prod-eu-1',
          auth: { type: 'hmac', secret: 'team/webhook' },
          provider: {
            type: 'github',
            address: 'https://github.com/acme/fleet-infra',
            secret: 'team/github',
            apiUrl: github.url,
          },
        },
        {
          id: 'staging',
          auth: { type: 'bearer', secret: ['team/webhook-next', 'team/webhook'] },
          provider: { type: 'github', address: 'https://github.com/acme/fleet-infra' },
          dryRun: true,
        },
      ],
    };
    const secrets = {
      'team/webhook': { token: ROUTE_KEY },
      'team/webhook-next': ROUTE_KEY,
      'team/github': { token: FORGE_TOKEN },
    };
    writeFileSync(configFile, JSON.stringify(config));
    writeFileSync(secretsFile, JSON.stringify(secrets));
    server = await startTestServer(config, secrets);
    env = { PORT: new URL(server.url).port, CONFIG: configFile, SECRETS_FILE: secretsFile };
  });

  afterAll(async () => {
    await server.stop();
    await github.stop();
  });

  it('signs with the route key of SECRETS_FILE, and the status is written', async () => {
    const result = await script('scripts/send-example.ts', ['prod-eu-1'], env);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/hooks\/prod-eu-1 -> 200\n/);
    expect(JSON.parse(result.stdout.split('\n')[1] ?? '')).toMatchObject({ outcome: 'written' });
    expect(github.statusesOf('acme/fleet-infra', 'df277975d2783b0e7fd4d0487d990bd60442923c')).toMatchObject([
      { state: 'success', description: 'reconciliation succeeded' },
    ]);
    expect(`${result.stdout}${result.stderr}`).not.toContain(ROUTE_KEY);
  });

  it('sends the first secret of a bearer route as the token, with the event file given', async () => {
    const event = 'test/fixtures/flux-events/04-kustomization-health-check-failed.json';

    const result = await script('scripts/send-example.ts', ['staging', event], env);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.split('\n')[1] ?? '')).toMatchObject({
      outcome: 'dry-run',
      state: 'failure',
    });
  });

  it('prints its usage for --help', async () => {
    const result = await script('scripts/send-example.ts', ['--help'], env);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      /^Usage: npm run -s send-example \[-- \[--config FILE\] \[--secrets-file FILE\] \[<route> \[<event\.json>\]\]\]\n/,
    );
  });

  it.each([
    [
      ['nowhere'],
      /^send-example: route "nowhere" is not in .*config\.json; its routes: prod-eu-1, staging\n\nUsage: /,
    ],
    [
      ['prod-eu-1', 'missing.json'],
      /^send-example: the event file missing\.json cannot be read \(ENOENT\)\n\nUsage: /,
    ],
    [['--verbose'], /^send-example: Unknown option '--verbose'.*\n\nUsage: /],
    [['prod-eu-1', 'a.json', 'b'], /^send-example: too many arguments: prod-eu-1 a\.json b\n\nUsage: /],
  ])('answers the mistake %j with the reason and its usage, no stack trace', async (args, expected) => {
    const result = await script('scripts/send-example.ts', args, env);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the secrets file when it is missing', async () => {
    const missing = join(folder, 'absent.json');

    const result = await script('scripts/send-example.ts', ['prod-eu-1'], { ...env, SECRETS_FILE: missing });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`send-example: the local secrets file ${missing} cannot be read (ENOENT)\n`);
  });
});

/** The local retry queue keeps the Lambda's attempts; only its waits are scaled down. */
describe('the local server on a forge that keeps failing', () => {
  it('tries a delivery 8 times in all, as the Lambda does, then dead-letters it', async () => {
    const github = await new FakeGitHub().start();
    for (let i = 0; i < 200; i++) github.script.push({ status: 503, body: { message: 'down' } });
    const records: DeliveryRecord[] = [];
    const { config, secrets } = oneGitHubRoute(github.url);
    const { url, queue, stop } = await startTestServer(config, secrets, {
      service: { budgetMs: 300, observe: (record) => records.push(record) },
      // 30 s → 15 ms: the whole schedule in about 1.5 s.
      retryBackoffScale: 0.0005,
    });
    try {
      const body = fixture(FIXTURES.reconciled);
      const answer = await fetch(`${url}/hooks/prod-eu-1`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-signature': sign(body) },
      });
      for (let i = 0; i < 300 && queue.deadLetters.length === 0; i++) {
        await new Promise((done) => setTimeout(done, 50));
      }

      expect(answer.status).toBe(202);
      expect(queue.deadLetters).toHaveLength(1);
      // Six retries, then the last attempt's failure: the only one that counts toward the alarm.
      expect(records.map((record) => record.outcome)).toEqual([
        'queued',
        ...Array(6).fill('retrying'),
        'failed',
      ]);
      expect(records.slice(1, 7).map((record) => [record.attempt, record.maxAttempts])).toEqual(
        [2, 3, 4, 5, 6, 7].map((attempt) => [attempt, 8]),
      );
      expect(records.at(-1)?.attempt).toBe(8);
    } finally {
      await stop();
      await github.stop();
    }
  });
});
