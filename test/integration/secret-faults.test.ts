import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { SecretsManagerSource } from '../../functions/secrets/secrets-manager-source.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FakeSecretsManager } from '../fakes/fake-secrets-manager.js';
import { FIXTURES, fixture, testRoute, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

/**
 * Secrets Manager's faults as Flux meets them: each ends in an answer Flux acts on (503 retried with
 * Retry-After, 500 for a secret to fix) and in a failed delivery record, never in silence.
 */
describe('Secrets Manager faults through the handler', () => {
  let aws: FakeSecretsManager;
  let github: FakeGitHub;

  beforeAll(async () => {
    aws = await new FakeSecretsManager().start();
    github = await new FakeGitHub().start();
    aws.secrets.set('test/webhook', JSON.stringify({ token: WEBHOOK_KEY }));
    aws.secrets.set('test/forge', JSON.stringify({ token: 'ghp_secretFaultsToken0000' }));
  });

  afterAll(async () => {
    await aws.stop();
    await github.stop();
  });

  it.each([
    // [fault, HTTP status of the fault, the answer to Flux, its error code, calls to Secrets Manager]
    ['ThrottlingException', 400, 503, 'secret-unavailable', 3],
    ['InternalServiceError', 500, 503, 'secret-unavailable', 3],
    ['AccessDeniedException', 400, 500, 'route-misconfigured', 1],
    ['ResourceNotFoundException', 400, 500, 'route-misconfigured', 1],
  ])('%s (HTTP %i) → %i %s, after %i calls', async (type, faultStatus, status, error, calls) => {
    // Prepare: a fresh container, whose first secret read meets the fault.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    onTestFinished(() => warn.mockRestore());
    aws.script.length = 0;
    for (let i = 0; i < 5; i++) aws.script.push(FakeSecretsManager.error(type, 'from the fake', faultStatus));
    const { relay, records } = testRelay([testRoute(github.url)], {
      secrets: new SecretsManagerSource(aws.clientConfig()),
    });
    const before = aws.calls;

    // Act
    const response = await createApiGatewayHandler(relay)(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(response.statusCode).toBe(status);
    // The caller is not authenticated yet: the answer names no secret; the function log does.
    expect(JSON.parse(response.body)).toEqual({
      error,
      reason: 'no webhook key of route test can be read; the function log says which and why',
    });
    expect(response.headers?.['retry-after']).toBe(status === 503 ? '2' : undefined);
    expect(records[0]).toMatchObject({ outcome: 'failed', error });
    expect(JSON.parse(warn.mock.calls[0]?.[0] as string)).toMatchObject({
      secret: 'test/webhook',
      reason: expect.stringContaining(type),
    });
    expect(aws.calls - before).toBe(calls);
    expect(github.writes).toHaveLength(0);
  });
});
