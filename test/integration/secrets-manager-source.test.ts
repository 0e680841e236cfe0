import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RouteMisconfiguredError, SecretUnavailableError } from '../../functions/core/errors.js';
import { FileSecretSource } from '../../functions/secrets/file-source.js';
import { SecretsManagerSource } from '../../functions/secrets/secrets-manager-source.js';
import { FakeSecretsManager } from '../fakes/fake-secrets-manager.js';

describe('SecretsManagerSource (the real AWS SDK client on a loopback Secrets Manager)', () => {
  let aws: FakeSecretsManager;

  beforeEach(async () => {
    aws = await new FakeSecretsManager().start();
  });

  afterEach(async () => {
    await aws.stop();
  });

  it('reads a Flux-style JSON secret and caches it across calls', async () => {
    // Prepare
    aws.secrets.set('flux-commit-status/github-acme', JSON.stringify({ token: 'ghp_x', 'ca.crt': 'PEM' }));
    const source = new SecretsManagerSource(aws.clientConfig());

    // Act
    const first = await source.get('flux-commit-status/github-acme');
    const second = await source.get('flux-commit-status/github-acme');

    // Assess
    expect(first).toEqual({ token: 'ghp_x', 'ca.crt': 'PEM' });
    expect(second).toEqual(first);
    expect(aws.calls).toBe(1);
  });

  it('reads the store again when asked for a fresh value (a rotation)', async () => {
    aws.secrets.set('s', JSON.stringify({ token: 'old' }));
    const source = new SecretsManagerSource(aws.clientConfig());
    await source.get('s');
    aws.secrets.set('s', JSON.stringify({ token: 'new' }));

    expect(await source.get('s')).toEqual({ token: 'old' });
    expect(await source.get('s', { fresh: true })).toEqual({ token: 'new' });
    expect(aws.calls).toBe(2);
  });

  it('takes a plain-text secret as the token', async () => {
    aws.secrets.set('plain', 'just-a-token');
    expect(await new SecretsManagerSource(aws.clientConfig()).get('plain')).toEqual({
      token: 'just-a-token',
    });
  });

  it('survives a ThrottlingException through the SDK’s own retry', async () => {
    aws.secrets.set('s', JSON.stringify({ token: 't' }));
    aws.script.push(FakeSecretsManager.error('ThrottlingException', 'Rate exceeded'));

    expect(await new SecretsManagerSource(aws.clientConfig()).get('s')).toEqual({ token: 't' });
    expect(aws.calls).toBe(2);
  });

  it('reports lasting throttling as unavailable (503: Flux retries)', async () => {
    for (let i = 0; i < 5; i++)
      aws.script.push(FakeSecretsManager.error('ThrottlingException', 'Rate exceeded'));

    await expect(new SecretsManagerSource(aws.clientConfig()).get('s')).rejects.toThrow(
      SecretUnavailableError,
    );
  });

  it.each([
    ['ResourceNotFoundException', /secret "missing" cannot be read \(ResourceNotFoundException\)/],
    ['AccessDeniedException', /AccessDeniedException.*check its name and the role/],
  ])('reports %s as a misconfigured route, naming the secret', async (type, message) => {
    aws.script.push(FakeSecretsManager.error(type, 'denied'));

    const read = new SecretsManagerSource(aws.clientConfig()).get('missing');

    await expect(read).rejects.toThrow(RouteMisconfiguredError);
    await expect(read).rejects.toThrow(message);
  });

  it('remembers a missing secret for 30 seconds, so that repeated requests cost no call', async () => {
    let now = 0;
    const source = new SecretsManagerSource(aws.clientConfig(), () => now);

    await expect(source.get('next')).rejects.toThrow(RouteMisconfiguredError);
    await expect(source.get('next')).rejects.toThrow(/secret "next" cannot be read/);
    expect(aws.calls).toBe(1);

    aws.secrets.set('next', JSON.stringify({ token: 'created' }));
    now += 29_000;
    await expect(source.get('next')).rejects.toThrow(RouteMisconfiguredError);
    expect(aws.calls).toBe(1);
    now += 1_000;
    expect(await source.get('next')).toEqual({ token: 'created' });
    expect(aws.calls).toBe(2);
  });

  it('reads a secret remembered as missing again when asked for a fresh value', async () => {
    const source = new SecretsManagerSource(aws.clientConfig(), () => 0);
    await expect(source.get('next')).rejects.toThrow(RouteMisconfiguredError);
    aws.secrets.set('next', JSON.stringify({ token: 'created' }));

    expect(await source.get('next', { fresh: true })).toEqual({ token: 'created' });
    expect(aws.calls).toBe(2);
  });

  it('never quotes a broken secret’s text in its error', async () => {
    aws.secrets.set('broken', '{"token": "ghp_leaky_value"');

    const read = new SecretsManagerSource(aws.clientConfig()).get('broken');

    await expect(read).rejects.toThrow(/does not parse/);
    await expect(read).rejects.not.toThrow(/ghp_leaky_value/);
  });
});

describe('FileSecretSource (local mode)', () => {
  it('reads the committed example file', async () => {
    const source = new FileSecretSource('config/local-secrets.json');
    expect(await source.get('local/webhook')).toEqual({ token: 'example-generic-hmac-token' });
  });

  it('names a secret missing from the file', async () => {
    await expect(new FileSecretSource('config/local-secrets.json').get('nope')).rejects.toThrow(
      /secret "nope" is not in the local secrets file/,
    );
  });
});
