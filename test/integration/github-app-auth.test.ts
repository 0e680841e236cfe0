import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ForgeRejectedError,
  ForgeUnavailableError,
  RouteMisconfiguredError,
} from '../../functions/core/errors.js';
import { redact } from '../../functions/core/redact.js';
import { credentialsFromSecret, sensitiveValuesOf } from '../../functions/forges/credentials.js';
import type { CommitStatus } from '../../functions/forges/forge.js';
import { REFRESH_BEFORE_EXPIRY_MS } from '../../functions/forges/github/app-auth.js';
import { createClient } from '../../functions/forges/github/client.js';
import { parseGitHubAddress } from '../../functions/forges/github/descriptor.js';
import { parseSecretString, type SecretValue } from '../../functions/secrets/secret-source.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHubApp, type Installation } from '../fakes/fake-github-app.js';
import { FIXTURES, fixture, MemorySecrets, testRoute, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

// A new App id for each test: a cached token is then never another test's, even on a reused port.
let appId = 123456;
const REPO = 'acme/fleet-infra';
const SHA = 'df277975d2783b0e7fd4d0487d990bd60442923c';

// One key pair for the file: generating RSA keys is slow, and each test has its own fake (its own
// URL), so no two tests share a cached token.
const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const PKCS1 = createPrivateKey(privateKey).export({ type: 'pkcs1', format: 'pem' }) as string;

const ACME: Installation = { id: 42, owner: 'acme', repositories: [REPO] };

let github: FakeGitHubApp | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await github?.stop();
  github = undefined;
});

async function fake(installations: Installation[] = [ACME]) {
  appId++;
  github = await new FakeGitHubApp(String(appId), publicKey, installations).start();
  return github;
}

function status(n = 0): CommitStatus {
  return { sha: SHA, state: 'success', context: `kustomization/apps-${n}`, description: 'reconciled' };
}

function client(api: FakeGitHubApp, secret: SecretValue, repository = REPO) {
  return createClient(
    parseGitHubAddress(`https://github.com/${repository}`, api.url),
    credentialsFromSecret(secret),
  );
}

const deadline = () => Date.now() + 10_000;

function appSecret(extra: SecretValue = {}): SecretValue {
  return {
    githubAppID: String(appId),
    githubAppInstallationID: '42',
    githubAppPrivateKey: privateKey,
    ...extra,
  };
}

describe('GitHub App authentication', () => {
  it.each([
    ['PKCS#8', privateKey],
    ['PKCS#1', PKCS1],
  ])('writes a status with an installation token, signing the JWT with a %s key', async (_, key) => {
    const api = await fake();
    const result = await client(api, appSecret({ githubAppPrivateKey: key })).write(status(), {
      deadline: deadline(),
    });

    expect(result).toEqual({ outcome: 'written', forgeStatus: 201 });
    expect(api.jwtFaults).toEqual([]);
    expect(api.tokenRequests).toHaveLength(1);
    expect(api.tokenRequests[0]?.path).toBe('/app/installations/42/access_tokens');
    expect(api.writes.at(-1)?.headers.authorization).toBe(`token ${api.issued[0]?.token}`);
    expect(api.statusesOf(REPO, SHA)).toMatchObject([{ state: 'success', context: 'kustomization/apps-0' }]);
  });

  it('finds the installation from githubAppInstallationOwner, as Flux does', async () => {
    const api = await fake([
      { id: 7, owner: 'other', repositories: ['other/x'] },
      { ...ACME, id: 99 },
    ]);
    const secret = appSecret({ githubAppInstallationID: undefined, githubAppInstallationOwner: 'acme' });
    await client(api, secret).write(status(), { deadline: deadline() });

    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /users/acme/installation',
      'POST /app/installations/99/access_tokens',
      `GET /repos/${REPO}/commits/${SHA}/statuses`,
      `POST /repos/${REPO}/statuses/${SHA}`,
    ]);
    expect(api.jwtFaults).toEqual([]);
  });

  it('finds the installation from the repository when the secret names neither', async () => {
    const api = await fake([{ ...ACME, id: 5 }]);
    await client(api, appSecret({ githubAppInstallationID: undefined })).write(status(), {
      deadline: deadline(),
    });

    expect(api.requests[0]?.path).toBe(`/repos/${REPO}/installation`);
    expect(api.tokenRequests[0]?.path).toBe('/app/installations/5/access_tokens');
    expect(api.statusesOf(REPO, SHA)).toHaveLength(1);
  });

  it('says so when the App is not installed on the repository', async () => {
    const api = await fake([{ id: 7, owner: 'other', repositories: ['other/x'] }]);
    const write = client(api, appSecret({ githubAppInstallationID: undefined })).write(status(), {
      deadline: deadline(),
    });

    await expect(write).rejects.toThrow(ForgeRejectedError);
    await expect(write).rejects.toThrow(
      /GitHub App \d+ for acme\/fleet-infra answered 404: the GitHub App is not installed/,
    );
    expect(api.tokenRequests).toHaveLength(0);
  });

  it('asks for one token for many events, across the clients of re-read secrets', async () => {
    const api = await fake();
    for (let n = 0; n < 10; n++) {
      // The relay builds a new client when the secret changes; the token cache outlives it.
      await client(api, appSecret()).write(status(n), { deadline: deadline() });
    }

    expect(api.tokenRequests).toHaveLength(1);
    expect(api.statusesOf(REPO, SHA)).toHaveLength(10);
  });

  it('asks for one token when many events arrive together', async () => {
    const api = await fake();
    // With a lookup first, so that a second concurrent refresh would show in the fake's log.
    const github = client(
      api,
      appSecret({ githubAppInstallationID: undefined, githubAppInstallationOwner: 'acme' }),
    );
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => github.write(status(n), { deadline: deadline() })),
    );

    expect(results.every((result) => result.outcome === 'written')).toBe(true);
    expect(api.requests.filter((request) => request.path === '/users/acme/installation')).toHaveLength(1);
    expect(api.tokenRequests).toHaveLength(1);
  });

  it('refreshes the token a few minutes before it expires, not after', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const api = await fake();
    const github = client(api, appSecret());

    await github.write(status(0), { deadline: deadline() });
    vi.setSystemTime(start + 3_600_000 - REFRESH_BEFORE_EXPIRY_MS - 60_000);
    await github.write(status(1), { deadline: deadline() });
    expect(api.tokenRequests).toHaveLength(1);

    vi.setSystemTime(start + 3_600_000 - REFRESH_BEFORE_EXPIRY_MS + 60_000);
    await github.write(status(2), { deadline: deadline() });
    expect(api.tokenRequests).toHaveLength(2);
    expect(api.writes.at(-1)?.headers.authorization).toBe(`token ${api.issued[1]?.token}`);
    expect(api.jwtFaults).toEqual([]);
  });

  it('drops a token that GitHub refuses and retries once with a new one', async () => {
    const api = await fake();
    const github = client(api, appSecret());
    await github.write(status(0), { deadline: deadline() });
    api.revoked.add(api.issued[0]?.token as string);

    const result = await github.write(status(1), { deadline: deadline() });

    expect(result.outcome).toBe('written');
    expect(api.tokenRequests).toHaveLength(2);
    expect(api.statusesOf(REPO, SHA)).toHaveLength(2);
  });

  it('refreshes only once when GitHub refuses every token', async () => {
    const api = await fake();
    const github = client(api, appSecret());
    await github.write(status(0), { deadline: deadline() });
    api.refuseAllTokens = true;

    await expect(github.write(status(1), { deadline: deadline() })).rejects.toMatchObject({
      forgeStatus: 401,
    });
    expect(api.tokenRequests).toHaveLength(2);
  });

  it("gives up on a slow token request at the delivery's deadline, as a passing fault", async () => {
    const api = await fake();
    // GitHub takes 3 s to answer the token request; the delivery has 0.5 s left.
    api.script.push({ status: 201, body: {}, delayMs: 3_000 });
    const started = Date.now();

    const error = await client(api, appSecret())
      .write(status(), { deadline: started + 500 })
      .catch((caught: Error) => caught);
    const waited = Date.now() - started;
    // The shared request goes on: let its answer arrive before the fake stops, so that no connection
    // is cut under the next test's fake (which may get the same port).
    await new Promise((done) => setTimeout(done, 3_200 - waited));

    expect(error).toBeInstanceOf(ForgeUnavailableError);
    expect((error as Error).message).toMatch(/no installation token/);
    expect(waited).toBeLessThan(2_000);
  });

  it("asks for a token of the route's repository only, with the one permission each call needs", async () => {
    const api = await fake();
    const github = client(api, appSecret());

    await github.write(status(), { deadline: deadline() });
    await (github as unknown as { dispatch: (type: string, payload: object, o: object) => Promise<void> })
      .dispatch('flux-production-ready', { sha: SHA }, { deadline: deadline() })
      .catch(() => undefined);

    const asked = api.tokenRequests.map((request) => JSON.parse(request.body));
    expect(asked).toEqual([
      { repositories: ['fleet-infra'], permissions: { statuses: 'write' } },
      { repositories: ['fleet-infra'], permissions: { contents: 'write' } },
    ]);
  });

  it('uses the token when the secret also has App keys, as Flux does', async () => {
    const api = await fake();
    const token = 'ghp_personalTokenWins0123456789abcdefghij';
    await client(api, appSecret({ token }))
      .write(status(), { deadline: deadline() })
      .catch(() => undefined);

    expect(api.tokenRequests).toHaveLength(0);
    expect(api.requests[0]?.headers.authorization).toBe(`token ${token}`);
  });

  it('reports an App key that GitHub refuses without the key or the JWT', async () => {
    const api = await fake();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    const error = await client(api, appSecret({ githubAppPrivateKey: other }))
      .write(status(), { deadline: deadline() })
      .catch((caught: Error) => caught);

    expect(error).toBeInstanceOf(ForgeRejectedError);
    expect(api.jwtFaults).toEqual(['bad signature']);
    const jwt = api.tokenRequests[0]?.headers.authorization?.slice('bearer '.length) as string;
    const said = `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`;
    expect(said).not.toContain(jwt);
    expect(said).not.toContain(other.split('\n')[1]);
  });

  it('refuses a private key that is not one, without quoting it', async () => {
    const api = await fake();
    const broken = `-----BEGIN PRIVATE KEY-----\nbm90LWEta2V5LWF0LWFsbC1qdXN0LXNvbWUtdGV4dA==\n-----END PRIVATE KEY-----\n`;
    const write = client(api, appSecret({ githubAppPrivateKey: broken })).write(status(), {
      deadline: deadline(),
    });

    await expect(write).rejects.toThrow(RouteMisconfiguredError);
    await expect(write).rejects.toThrow(
      /^githubAppPrivateKey is not a PEM private key \(PKCS#1 or PKCS#8\)$/,
    );
    expect(api.requests).toHaveLength(0);
  });
});

describe('a GitHub App secret through the relay', () => {
  it('writes the status from a Flux App secret copied as it is, and says nothing of the key', async () => {
    // Prepare: the secret as Flux's provider secret holds it, the installation found by owner.
    const api = await fake();
    const secrets = new MemorySecrets({
      'test/webhook': { token: WEBHOOK_KEY },
      'test/forge': {
        githubAppID: String(appId),
        githubAppInstallationOwner: 'acme',
        githubAppPrivateKey: privateKey,
      },
    });
    const { relay, records } = testRelay([testRoute(api.url)], { secrets });

    // Act
    const response = await apiGatewayHandler(relay)(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(JSON.parse(response.body)).toMatchObject({ outcome: 'written', state: 'success' });
    expect(api.statusesOf(REPO, SHA)).toMatchObject([{ state: 'success' }]);
    expect(api.jwtFaults).toEqual([]);
    const said = JSON.stringify([response, records]);
    const keyBody = privateKey.split('\n')[1] as string;
    expect(said).not.toContain(keyBody);
    expect(said).not.toContain(api.issued[0]?.token as string);
  });
});

describe('credentials from a Flux secret', () => {
  it('maps the App keys, numbers included, as Secrets Manager JSON may hold them', () => {
    const secret = parseSecretString(
      'gh-app',
      JSON.stringify({
        githubAppID: 123456,
        githubAppInstallationID: 42,
        githubAppPrivateKey: privateKey,
        githubAppBaseURL: 'https://ghe.example.com/api/v3/',
      }),
    );
    expect(credentialsFromSecret(secret).githubApp).toEqual({
      appId: '123456',
      installationId: '42',
      privateKey,
      baseUrl: 'https://ghe.example.com/api/v3',
    });
  });

  it('ignores the App keys when a token is present', () => {
    expect(credentialsFromSecret({ token: 't', githubAppID: '1' })).toEqual({ token: 't' });
  });

  it.each([
    [{ githubAppID: '1' }, /needs both githubAppID and githubAppPrivateKey; it has only githubAppID/],
    [{ githubAppPrivateKey: privateKey }, /it has only githubAppPrivateKey/],
    [
      { githubAppID: '1', githubAppPrivateKey: privateKey, githubAppInstallationID: 'acme' },
      /must be a number/,
    ],
  ])('refuses an incomplete App secret %#', (secret, message) => {
    expect(() => credentialsFromSecret(secret)).toThrow(RouteMisconfiguredError);
    expect(() => credentialsFromSecret(secret)).toThrow(message);
  });

  it('names the private key, and each of its lines, among the values to scrub', () => {
    const values = sensitiveValuesOf(appSecret());
    const line = privateKey.split('\n')[3] as string;
    expect(values).toContain(privateKey);
    expect(redact(`GitHub said: ${line}`, values)).toBe('GitHub said: [redacted]');
    expect(values.some((value) => /^-----[^\n]*-----$/.test(value))).toBe(false);
  });
});
