import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsFromSecret } from '../../functions/forges/credentials.js';
import { createClient } from '../../functions/forges/github/client.js';
import { parseGitHubAddress } from '../../functions/forges/github/descriptor.js';
import { LoopbackServer } from '../fakes/loopback-server.js';
import { type PrismProcess, startPrism } from '../fakes/prism.js';
import { checkAgainstSpec } from '../fakes/spec-check.js';

/**
 * GitHub's full official description, from the pinned `@octokit/openapi` devDependency: it is always
 * installed, so this file never skips. Prism takes about 15 s to load its 13 MB on an idle 2-core
 * machine (measured), well within budget, so the file is served whole rather than trimmed.
 */
const DESCRIPTION = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
// Loading the full description competes with the other test files for the two cores.
const PRISM_START_BUDGET_MS = 150_000;

const SHA = 'df277975d2783b0e7fd4d0487d990bd60442923c';
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

let prism: PrismProcess;
let proxy: LoopbackServer;
const violations: string[] = [];

beforeAll(async () => {
  prism = await startPrism(DESCRIPTION, PRISM_START_BUDGET_MS);
  proxy = await new LoopbackServer(async (request) => {
    const judged = await checkAgainstSpec({ prismUrl: prism.url, extraConstraints: [] }, request);
    violations.push(...judged.violations.map((found) => `${request.method} ${request.path}: ${found}`));
    return judged.response;
  }).start();
}, PRISM_START_BUDGET_MS + 10_000);

afterAll(async () => {
  await proxy?.stop();
  await prism?.stop();
});

// Each test its own App id: the installation token cache is per App, for the whole process.
let appId = 880_000;

async function writeWithApp(secret: Record<string, string>) {
  appId++;
  const client = createClient(
    parseGitHubAddress('https://github.com/acme/fleet-infra', proxy.url),
    credentialsFromSecret({ githubAppID: String(appId), githubAppPrivateKey: privateKey, ...secret }),
  );
  const before = proxy.requests.length;
  const result = await client.write(
    { sha: SHA, state: 'success', context: 'kustomization/apps/prod-eu-1', description: 'reconciled' },
    { deadline: Date.now() + 25_000 },
  );
  return { result, sent: proxy.requests.slice(before) };
}

/** The App flow's requests against GitHub's full description (api.github.com) served by Prism. */
describe('GitHub App contract (Prism, @octokit/openapi api.github.com description)', () => {
  it.each([
    ['the owner', { githubAppInstallationOwner: 'acme' }, 'GET /users/acme/installation'],
    ['the repository', {}, 'GET /repos/acme/fleet-infra/installation'],
  ])(
    'looks the installation up from %s, takes a token and writes with it, as the description allows',
    async (_, secret, lookup) => {
      // Prepare
      const before = violations.length;

      // Act
      const { result, sent } = await writeWithApp(secret);

      // Assess
      expect(result).toMatchObject({ outcome: 'written' });
      // The description's example installation has id 1; its example token expired in 2016, so the
      // client takes a new one before each request, which puts every token request under the check.
      const lines = sent.map((request) => `${request.method} ${request.path}`);
      const TOKEN = 'POST /app/installations/1/access_tokens';
      expect(lines.slice(0, 2)).toEqual([lookup, TOKEN]);
      expect(lines.filter((line) => line !== TOKEN)).toEqual([
        lookup,
        `GET /repos/acme/fleet-infra/commits/${SHA}/statuses`,
        `POST /repos/acme/fleet-infra/statuses/${SHA}`,
      ]);
      expect(sent[0]?.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(sent.at(-1)?.headers.authorization).toMatch(/^token ghs_/);
      expect(violations.slice(before)).toEqual([]);
    },
  );

  it('takes a token for a configured installation id without a lookup', async () => {
    const before = violations.length;

    const { result, sent } = await writeWithApp({ githubAppInstallationID: '1' });

    expect(result).toMatchObject({ outcome: 'written' });
    expect(sent[0]?.path).toBe('/app/installations/1/access_tokens');
    expect(violations.slice(before)).toEqual([]);
  });

  it('catches App requests that break the description (the check itself can fail)', async () => {
    const before = violations.length;

    await fetch(`${proxy.url}/app/installations/not-a-number/access_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'bearer a.b.c' },
      body: JSON.stringify({ repositories: 'fleet-infra' }),
    });

    const found = violations.splice(before);
    expect(found.some((violation) => /installation_id/.test(violation))).toBe(true);
    expect(found.some((violation) => /repositories must be array/.test(violation))).toBe(true);
  });
});
