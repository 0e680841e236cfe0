import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SecretsManagerSource } from '../../functions/secrets/secrets-manager-source.js';
import { createService } from '../../functions/service/create-service.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { createDeliveryObserver } from '../../functions/webhook/observe-delivery.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FakeSecretsManager } from '../fakes/fake-secrets-manager.js';
import { eventOf, FIXTURES, fixture, sign, testRoute } from '../harness/flux-fixtures.js';
import { apiEvent } from '../harness/relay-harness.js';

// Recognisable values: if any of them shows up anywhere, the test says where.
const WEBHOOK_KEY = 'LEAKCHECK-webhook-key-7f3a9c';
const FORGE_TOKEN = 'LEAKCHECK-forge-token-b81e44';
const PASSWORD = 'LEAKCHECK-password-19d0aa';
const SECRETS = [WEBHOOK_KEY, FORGE_TOKEN, PASSWORD];

describe('no secret leaks into logs, metrics or answers', () => {
  let github: FakeGitHub;
  let aws: FakeSecretsManager;
  const output: string[] = [];

  beforeAll(async () => {
    github = await new FakeGitHub().start();
    aws = await new FakeSecretsManager().start();
    aws.secrets.set('leak/webhook', JSON.stringify({ token: WEBHOOK_KEY }));
    aws.secrets.set(
      'leak/forge',
      JSON.stringify({ token: FORGE_TOKEN, username: 'bot', password: PASSWORD }),
    );
    aws.secrets.set('leak/broken', `{"token": "${FORGE_TOKEN}"`);
  });

  afterAll(async () => {
    await github.stop();
    await aws.stop();
  });

  it('runs every flow with recognisable secrets and finds none of them in what it said', async () => {
    // Prepare: a real Logger and the real SDK client; stdout captured.
    const capture = (chunk: unknown) => {
      output.push(String(chunk));
      return true;
    };
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const routes = [
      testRoute(github.url, {
        auth: { secret: 'leak/webhook' },
        provider: {
          type: 'github',
          address: 'https://github.com/acme/fleet-infra',
          secret: 'leak/forge',
          apiUrl: github.url,
        },
      }),
      testRoute(github.url, {
        id: 'bearer',
        auth: { type: 'bearer', secret: 'leak/webhook' },
        provider: {
          type: 'github',
          address: 'https://github.com/acme/fleet-infra',
          secret: 'leak/forge',
          apiUrl: github.url,
        },
      }),
      testRoute(github.url, {
        id: 'broken',
        auth: { secret: 'leak/webhook' },
        provider: {
          type: 'github',
          address: 'https://github.com/acme/fleet-infra',
          secret: 'leak/broken',
          apiUrl: github.url,
        },
      }),
      testRoute(github.url, { id: 'missing', auth: { secret: 'leak/absent' } }),
    ];
    const { relay } = createService({
      routes,
      secrets: new SecretsManagerSource(aws.clientConfig()),
      observe: createDeliveryObserver(new Logger({ serviceName: 'leak-test' })),
    });
    const handler = createApiGatewayHandler(relay);
    const body = fixture(FIXTURES.reconciled);
    const failing = JSON.stringify({
      ...eventOf(FIXTURES.healthCheckFailed),
      message: `token ${FORGE_TOKEN} was refused`,
    });
    const answers: string[] = [];
    const send = async (event: Parameters<typeof handler>[0]) => {
      const response = await handler(event);
      answers.push(JSON.stringify(response));
    };

    // Act: success, forge faults that echo the token back, bad credentials, store faults.
    await send(apiEvent({ body, headers: { 'x-signature': sign(body, WEBHOOK_KEY) } }));
    github.script.push(
      { status: 401, body: { message: `Bad credentials: token ${FORGE_TOKEN}` } },
      { status: 401, body: { message: `Bad credentials: ${FORGE_TOKEN}` } },
    );
    await send(apiEvent({ body: failing, headers: { 'x-signature': sign(failing, WEBHOOK_KEY) } }));
    for (let i = 0; i < 3; i++)
      github.script.push({
        status: 500,
        body: { message: `upstream saw Authorization: token ${FORGE_TOKEN} and ${PASSWORD}` },
      });
    await send(
      apiEvent({
        body: fixture(FIXTURES.progressing),
        headers: { 'x-signature': sign(fixture(FIXTURES.progressing), WEBHOOK_KEY) },
      }),
    );
    await send(apiEvent({ body, headers: { 'x-signature': sign(body, 'wrong') } }));
    await send(apiEvent({ route: 'bearer', body, headers: { authorization: `Bearer ${WEBHOOK_KEY}x` } }));
    await send(apiEvent({ route: 'bearer', body, headers: { authorization: `Bearer ${WEBHOOK_KEY}` } }));
    // A secret that does not parse: its text is never quoted (the service never learnt its value).
    await send(apiEvent({ route: 'broken', body, headers: { 'x-signature': sign(body, WEBHOOK_KEY) } }));
    await send(apiEvent({ route: 'missing', body, headers: { 'x-signature': sign(body, WEBHOOK_KEY) } }));
    stdout.mockRestore();
    stderr.mockRestore();

    // Assess
    const said = [...answers, ...output].join('\n');
    expect(answers).toHaveLength(8);
    expect(output.length).toBeGreaterThanOrEqual(8);
    expect(said).toContain('[redacted]');
    for (const secret of SECRETS) expect(said).not.toContain(secret);
    expect(said).not.toContain(sign(body, WEBHOOK_KEY).slice(7));
  });
});
