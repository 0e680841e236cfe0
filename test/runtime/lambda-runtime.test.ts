import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHandler } from '../../scripts/bench/build.js';
import { startDynalite } from '../fakes/dynalite.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FakeSecretsManager } from '../fakes/fake-secrets-manager.js';
import { FIXTURES, FORGE_TOKEN, fixture, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { LAMBDA_NODE, lambdaNodeInstalled } from '../harness/lambda-node.js';
import { apiEvent } from '../harness/relay-harness.js';

/**
 * The deployed bundle, built by the stack's own esbuild settings, on the Node.js major that Lambda
 * runs: a fresh process imports it and hands it API Gateway events, with Secrets Manager and GitHub
 * as loopback fakes.
 */
// Skipped only where npm does not install the package: the global setup says so, and fails CI on linux x64.
describe.skipIf(!lambdaNodeInstalled())('the bundle on Node.js 24', () => {
  const github = new FakeGitHub();
  const secretsManager = new FakeSecretsManager();
  const folder = mkdtempSync(join(tmpdir(), 'fcs-runtime-'));
  let bundle: string;

  beforeAll(async () => {
    await Promise.all([github.start(), secretsManager.start()]);
    secretsManager.secrets.set('runtime/webhook', JSON.stringify({ token: WEBHOOK_KEY }));
    secretsManager.secrets.set('runtime/github', JSON.stringify({ token: FORGE_TOKEN }));
    ({ file: bundle } = await buildHandler(folder, [
      {
        id: 'prod-eu-1',
        cluster: 'prod-eu-1',
        auth: { type: 'hmac', secret: 'runtime/webhook' },
        provider: {
          type: 'github',
          address: 'https://github.com/acme/fleet-infra',
          secret: 'runtime/github',
          apiUrl: github.url,
        },
      },
    ]));
  });

  afterAll(async () => {
    await Promise.all([github.stop(), secretsManager.stop()]);
    rmSync(folder, { recursive: true, force: true });
  });

  /** A cluster of the production environment that writes only the roll-up. */
  const fleetRoute = (id: string) => ({
    id,
    cluster: id,
    environment: 'production',
    clusterStatuses: false,
    auth: { type: 'hmac', secret: 'runtime/webhook' },
    provider: {
      type: 'github',
      address: 'https://github.com/acme/fleet-infra',
      secret: 'runtime/github',
      apiUrl: github.url,
    },
  });

  /** One cold container: import, then the events in order; its answers and its log lines come back. */
  async function invoke(events: unknown[], env: Record<string, string> = {}) {
    // The handler's log lines go to stdout, as in Lambda; the answers go to a file of their own.
    const result = join(folder, 'answers.json');
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      const answers = [];
      const context = { getRemainingTimeInMillis: () => 60_000 };
      for (const event of ${JSON.stringify(events)}) answers.push(await handler(event, context));
      (await import('node:fs')).writeFileSync(${JSON.stringify(result)}, JSON.stringify({ version: process.version, answers }));
      process.exit(0);
    `;
    const { stdout, stderr } = await promisify(execFile)(
      LAMBDA_NODE,
      ['--enable-source-maps', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        timeout: 20_000,
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'example-secret-access-key',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.server.url,
          GITHUB_WRITE_SPACING_MS: '0',
          POWERTOOLS_METRICS_DISABLED: 'true',
          ...env,
        },
      },
    );
    const answers = JSON.parse(readFileSync(result, 'utf8')) as {
      version: string;
      answers: { statusCode: number; body: string }[];
    };
    return { ...answers, logs: stdout, stderr };
  }

  it('writes the statuses of signed Flux events, as on Node.js 20', async () => {
    const events = [FIXTURES.healthCheckFailed, FIXTURES.reconciled].map((name) =>
      apiEvent({ route: 'prod-eu-1', body: fixture(name) }),
    );

    const { version, answers, logs, stderr } = await invoke(events);

    expect(version).toMatch(/^v24\./);
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
    expect(answers.map((answer) => JSON.parse(answer.body).outcome)).toEqual(['written', 'written']);
    expect(github.statusesOf('acme/fleet-infra', 'a549a44b3316991928c80b3bee0eb916d16c9dcc')).toMatchObject([
      { state: 'failure', context: 'kustomization/apps/prod-eu-1' },
    ]);
    expect(github.statusesOf('acme/fleet-infra', 'df277975d2783b0e7fd4d0487d990bd60442923c')).toMatchObject([
      { state: 'success', description: 'reconciliation succeeded' },
    ]);
    const lines = logs
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toMatchObject([
      { message: 'delivery written', route: 'prod-eu-1', forge: 'github', state: 'failure' },
      { message: 'delivery written', route: 'prod-eu-1', forge: 'github', state: 'success' },
    ]);
    expect(logs).not.toContain(FORGE_TOKEN);
    // Node 24 is a supported version of the SDK, so no warning, and no deprecation of anything the code uses.
    expect(stderr).not.toMatch(/NodeVersionSupportWarning|DeprecationWarning/);
  });

  it('runs the pending sweep on a scheduled event, as EventBridge sends it', async () => {
    // Prepare: the fixture's Progressing is months old, so the route's 30 minutes are long past.
    const schedule = {
      version: '0',
      id: 'f2e3c5c1-0000-4000-8000-000000000000',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:123456789012:rule/sweep'],
      detail: {},
    };

    // Act
    const { answers, logs } = await invoke([
      apiEvent({ route: 'prod-eu-1', body: fixture(FIXTURES.progressing) }),
      schedule,
    ]);

    // Assess
    expect(answers[1]).toEqual({ resolved: 1, failed: 0, dropped: 0, silentRoutes: 0 });
    const shown = github.statusesOf('acme/fleet-infra', 'a549a44b3316991928c80b3bee0eb916d16c9dcc');
    expect(shown.slice(0, 2).map((status) => [status.state, status.description])).toEqual([
      ['error', "no verdict from prod-eu-1 within 30m; see the cluster's kustomize-controller"],
      ['pending', 'progressing'],
    ]);
    expect(logs).toContain('"message":"pending sweep"');
  });

  it('writes a fleet roll-up before it answers when it has no recompute queue, as Lambda freezes it after', async () => {
    // Prepare: the route reports to a roll-up only; no ledger, so no FIFO queue: the process recomputes.
    const config = join(folder, 'fleet.json');
    writeFileSync(
      config,
      JSON.stringify({
        routes: [fleetRoute('prod-eu-1')],
        environments: { production: {} },
      }),
    );

    // Act: the process exits right after the answer, as a frozen container does nothing more.
    const { answers } = await invoke([apiEvent({ route: 'prod-eu-1', body: fixture(FIXTURES.reconciled) })], {
      CONFIG_FILE: config,
    });

    // Assess
    expect(answers[0]?.statusCode).toBe(200);
    expect(github.statusesOf('acme/fleet-infra', 'df277975d2783b0e7fd4d0487d990bd60442923c')).toContainEqual(
      expect.objectContaining({ state: 'success', context: 'flux/production/kustomization/apps' }),
    );
  });

  it('keeps the fleet in the shared tables: each cluster’s verdict in the fleet table, the roll-up’s record in the ledger', async () => {
    // Prepare: the deployed function's tables, on dynalite; two containers, one cluster each.
    const dynamo = await startDynalite();
    try {
      const [ledgerTable, fleetTable] = [await dynamo.createTable(), await dynamo.createFleetTable()];
      const config = join(folder, 'fleet-tables.json');
      writeFileSync(
        config,
        JSON.stringify({
          routes: [fleetRoute('prod-eu-1'), fleetRoute('prod-us-1')],
          environments: { production: {} },
        }),
      );
      const env = {
        CONFIG_FILE: config,
        LEDGER_TABLE: ledgerTable,
        FLEET_TABLE: fleetTable,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.clientConfig.endpoint as string,
      };
      const sha = 'df277975d2783b0e7fd4d0487d990bd60442923c';

      // Act: each container a cold start of its own, as two Lambda containers are.
      const answers = [
        ...(await invoke([apiEvent({ route: 'prod-eu-1', body: fixture(FIXTURES.reconciled) })], env))
          .answers,
        ...(await invoke([apiEvent({ route: 'prod-us-1', body: fixture(FIXTURES.reconciled) })], env))
          .answers,
      ];

      // Assess: the second container's roll-up counts the first's cluster, which only the table held.
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
      const client = new DynamoDBClient(dynamo.clientConfig);
      const [clusters, ledger] = await Promise.all([
        client.send(new ScanCommand({ TableName: fleetTable })),
        client.send(new ScanCommand({ TableName: ledgerTable })),
      ]);
      client.destroy();
      expect(clusters.Count).toBe(2);
      expect(ledger.Items?.some((item) => JSON.stringify(item).includes('"rollup"'))).toBe(true);
      expect(
        github
          .statusesOf('acme/fleet-infra', sha)
          .find((status) => status.context === 'flux/production/kustomization/apps'),
      ).toMatchObject({ state: 'success', description: '2/2 clusters reconciled' });
    } finally {
      await dynamo.stop();
    }
  });

  it('refuses a forged signature with the same answer', async () => {
    const body = fixture(FIXTURES.reconciled);
    const event = apiEvent({
      route: 'prod-eu-1',
      body,
      headers: { 'content-type': 'application/json', 'x-signature': `sha256=${'0'.repeat(64)}` },
    });

    const { answers, logs, stderr } = await invoke([event]);

    expect(answers[0]?.statusCode).toBe(401);
    // The class's own name survives minification: a log query can count failures by it.
    const line = JSON.parse(`${logs}${stderr}`.trim());
    expect(line).toMatchObject({ error: 'unauthorized', errorName: 'UnauthorizedError' });
  });
});
