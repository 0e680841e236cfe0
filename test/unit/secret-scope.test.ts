import { describe, expect, it } from 'vitest';
import { SecretScope } from '../../functions/delivery/secret-scope.js';
import { MemorySecrets } from '../harness/flux-fixtures.js';

/** A Bitbucket Server password as people choose them: quotes and backslashes included. */
const PASSWORD = 'pa"ss\\wo/rd+12=';
const TOKEN = 'ghp_scopeTokenThatMustNeverLeak0123456789';

async function scope() {
  const secrets = new MemorySecrets({ forge: { username: 'flux', password: PASSWORD, token: TOKEN } });
  const result = new SecretScope(secrets);
  await result.get('forge');
  return result;
}

describe('SecretScope', () => {
  it('scrubs fields before they are serialised, so JSON escapes cannot hide a secret', async () => {
    // Prepare
    const record = { reason: `clone of https://flux:${PASSWORD}@git.example.com failed`, attempt: 2 };

    // Act
    const said = JSON.stringify((await scope()).redactFields(record));

    // Assess
    expect(said).not.toContain(PASSWORD);
    expect(said).not.toContain(JSON.stringify(PASSWORD).slice(1, -1));
    expect(said).toContain('[redacted]');
    expect(said).toContain('"attempt":2');
  });

  it.each([
    ['as it is', (value: string) => value],
    ['escaped inside a JSON string', (value: string) => JSON.stringify(value).slice(1, -1)],
    ['URL-encoded', (value: string) => encodeURIComponent(value)],
    ['in base64', (value: string) => Buffer.from(value).toString('base64').replace(/=+$/, '')],
  ])('scrubs a secret written %s, in serialised text too', async (_, encode) => {
    // Prepare
    const text = `{"message":"token ${encode(TOKEN)} and password ${encode(PASSWORD)}"}`;

    // Act
    const scrubbed = (await scope()).redact(text);

    // Assess
    expect(scrubbed).not.toContain(encode(TOKEN));
    expect(scrubbed).not.toContain(encode(PASSWORD));
  });

  it('scrubs the Basic header made from the username and the password', async () => {
    const basic = Buffer.from(`flux:${PASSWORD}`).toString('base64');

    const scrubbed = (await scope()).redact(`Authorization: Basic ${basic}`);

    expect(scrubbed).not.toContain(basic.replace(/=+$/, ''));
  });

  it('leaves the username, which names and proves nothing', async () => {
    expect((await scope()).redact('user flux')).toBe('user flux');
  });
});
