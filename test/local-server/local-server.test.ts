import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeGitHub } from '../fakes/fake-github.js';
import { readSpec } from '../fakes/forge-specs.js';
import { FIXTURES, FORGE_TOKEN, fixture, sign, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { startTestServer } from '../harness/test-server.js';

const prism = inject('prism').github;

/** The local server over real HTTP, signed fixture events in, exact GitHub statuses out. */
describe('local server end to end', () => {
  let github: FakeGitHub;
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    github = await new FakeGitHub(
      prism === undefined
        ? undefined
        : { prismUrl: prism, extraConstraints: readSpec('github')['x-contract'].extraConstraints },
    ).start();
    server = await startTestServer(
      {
        routes: [
          {
            id: 'prod-eu-1',
            cluster: 'prod-eu-1',
            auth: { type: 'hmac', secret: 'e2e/webhook' },
            provider: {
              type: 'github',
              address: 'https://github.com/acme/fleet-infra',
              secret: 'e2e/github',
              apiUrl: github.url,
            },
            targetUrl: 'https://grafana.example.com/d/flux?var-cluster={{cluster}}',
          },
          {
            id: 'staging',
            auth: { type: 'bearer', secret: 'e2e/webhook' },
            provider: {
              type: 'github',
              address: 'git@github.com:acme/fleet-infra.git',
              secret: 'e2e/github',
              apiUrl: github.url,
            },
            context: 'flux/{{env}}/{{name}}',
          },
        ],
      },
      { 'e2e/webhook': { token: WEBHOOK_KEY }, 'e2e/github': { token: FORGE_TOKEN } },
    );
  });

  afterAll(async () => {
    await server.stop();
    expect(github.violations).toEqual([]);
    await github.stop();
  });

  async function post(route: string, body: Buffer, headers: Record<string, string>) {
    const response = await fetch(`${server.url}/hooks/${route}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
    return { status: response.status, body: await response.json() };
  }

  it('turns the fixtures into the statuses Flux would write', async () => {
    // Act
    const answers = [];
    for (const name of [
      FIXTURES.progressing,
      FIXTURES.healthCheckFailed,
      FIXTURES.reconciled,
      FIXTURES.errorWithoutRevision,
    ]) {
      answers.push(
        await post('prod-eu-1', fixture(name), {
          'x-signature': sign(fixture(name)),
          'gotk-component': 'kustomize-controller',
        }),
      );
    }

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 202]);
    expect(github.statusesOf('acme/fleet-infra', 'a549a44b3316991928c80b3bee0eb916d16c9dcc')).toMatchObject([
      {
        state: 'failure',
        context: 'kustomization/apps/prod-eu-1',
        description:
          "health check failed after 5m0.031402813s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
        target_url: 'https://grafana.example.com/d/flux?var-cluster=prod-eu-1',
      },
      { state: 'pending', context: 'kustomization/apps/prod-eu-1', description: 'progressing' },
    ]);
    expect(github.statusesOf('acme/fleet-infra', 'df277975d2783b0e7fd4d0487d990bd60442923c')).toMatchObject([
      { state: 'success', context: 'kustomization/apps/prod-eu-1', description: 'reconciliation succeeded' },
    ]);
  });

  it('serves a bearer route the way a generic Provider calls it, with a metadata template', async () => {
    const body = fixture(FIXTURES.prefixed);

    const answer = await post('staging', body, { authorization: `Bearer ${WEBHOOK_KEY}` });

    expect(answer).toMatchObject({
      status: 200,
      body: { outcome: 'written', context: 'flux/production/apps' },
    });
  });

  it('answers 404 to a route id that is not valid percent-encoding, as API Gateway would', async () => {
    const answer = await post('%E0%A4%A', fixture(FIXTURES.reconciled), {});

    expect(answer).toMatchObject({ status: 404, body: { error: 'route-not-found' } });
  });

  it('answers 413 to a body over 1 MiB without reading it all', async () => {
    const answer = await post('prod-eu-1', Buffer.alloc(3 * 1024 * 1024, 32), { 'x-signature': 'sha256=00' });

    expect(answer).toMatchObject({ status: 413, body: { error: 'payload-too-large' } });
  });
});

/** The README's first command: `npm start` on the committed config, then `npm run send-example`. */
describe('npm start and npm run send-example on the default config', () => {
  let child: ChildProcess;
  let port: string;
  let output = '';

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/server.ts'], {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    for (let i = 0; i < 200 && !/listening on http:\/\/127\.0\.0\.1:(\d+)/.test(output); i++) {
      await new Promise((done) => setTimeout(done, 100));
    }
    port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? '';
  });

  afterAll(() => {
    child.kill('SIGTERM');
  });

  it('posts a signed example that the server answers as a dry run, and logs it as JSON', async () => {
    // Act
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/send-example.ts'],
      {
        env: { ...process.env, PORT: port },
      },
    );

    // Assess
    expect(port).not.toBe('');
    expect(stdout).toMatch(/-> 200/);
    expect(stdout).toMatch(/"outcome":"dry-run"/);
    for (let i = 0; i < 50 && !output.includes('"delivery dry-run"'); i++)
      await new Promise((done) => setTimeout(done, 50));
    const line = output.split('\n').find((text) => text.includes('"delivery dry-run"')) ?? '{}';
    expect(JSON.parse(line)).toMatchObject({
      outcome: 'dry-run',
      route: 'demo',
      state: 'success',
      context: 'kustomization/apps/local',
    });
    expect(output).not.toContain('example-generic-hmac-token');
  });
});
