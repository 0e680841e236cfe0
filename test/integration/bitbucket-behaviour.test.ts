import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixture, MemorySecrets, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { CONTEXT, SHA, useForge } from '../harness/forge-behaviour.js';
import { profile as bitbucket } from '../harness/forges/bitbucket.js';
import { apiEvent } from '../harness/relay-harness.js';

const REPO = bitbucket.repository;

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Bitbucket Cloud through the Lambda handler, on a stateful fake judged by Bitbucket's description. */
describe('Bitbucket Cloud through the relay', () => {
  const forge = useForge(bitbucket);

  it('keys the status by the SHA-1 of the context, as Flux, and links the repository by default', async () => {
    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(200);
    expect(forge.fake.statusesOf(REPO, SHA)).toMatchObject([
      {
        key: createHash('sha1').update(CONTEXT).digest('hex'),
        name: CONTEXT,
        url: 'https://bitbucket.org/acme/fleet-infra',
      },
    ]);
  });

  it.each([
    [
      'token "<username>:<app password>" (as Flux)',
      { token: 'jdoe:appPasswordThatMustNeverLeak' },
      basic('jdoe', 'appPasswordThatMustNeverLeak'),
    ],
    [
      'token "<e-mail>:<API token>"',
      { token: 'jdoe@example.com:ATATT3xApiToken0123' },
      basic('jdoe@example.com', 'ATATT3xApiToken0123'),
    ],
    [
      'username and password',
      { username: 'jdoe', password: 'appPasswordThatMustNeverLeak' },
      basic('jdoe', 'appPasswordThatMustNeverLeak'),
    ],
  ])('sends Basic credentials from %s', async (_name, secret, header) => {
    const secrets = new MemorySecrets({ 'test/webhook': { token: WEBHOOK_KEY }, 'test/forge': secret });

    const response = await forge.setup({ secrets }).handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(200);
    expect(forge.fake.requests.map((request) => request.headers.authorization)).toEqual([header, header]);
  });

  it('says which keys a secret without credentials lacks', async () => {
    const secrets = new MemorySecrets({
      'test/webhook': { token: WEBHOOK_KEY },
      'test/forge': { username: 'jdoe' },
    });

    const response = await forge.setup({ secrets }).handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toMatchObject({
      error: 'route-misconfigured',
      reason: expect.stringMatching(/needs "token".*or "username" and "password"/),
    });
    expect(forge.fake.requests).toHaveLength(0);
  });
});
