import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { canReadRange } from '../../functions/forges/commit-range.js';
import { credentialsFromSecret } from '../../functions/forges/credentials.js';
import { createForgeClient, type ForgeType } from '../../functions/forges/registry.js';
import type { SpecName } from '../fakes/forge-specs.js';
import { startSpecProxy } from '../fakes/spec-proxy.js';

const BASE = 'a549a44b3316991928c80b3bee0eb916d16c9dcc';
const HEAD = 'df277975d2783b0e7fd4d0487d990bd60442923c';

interface RangeContract {
  type: ForgeType & SpecName;
  stripPrefix?: string;
  provider(url: string): { address: string; apiUrl: string };
  secret: Record<string, string>;
  /** The operation the range call must use: method and path, as the client sends them. */
  asks: { method: string; path: RegExp };
  /** A request to the same operation that its description refuses: the check itself can fail. */
  violation: { method: string; path: string; body?: unknown; says: RegExp };
}

/** Each forge's compare or commit-list operation (../shared/specs, README "Commit ranges"). */
const CONTRACTS: RangeContract[] = [
  {
    type: 'github',
    provider: (url) => ({ address: 'https://github.com/acme/fleet-infra', apiUrl: url }),
    secret: { token: 'ghp_contractToken0123456789' },
    asks: { method: 'GET', path: new RegExp(`^/repos/acme/fleet-infra/compare/${BASE}\\.\\.\\.${HEAD}$`) },
    violation: {
      method: 'GET',
      path: `/repos/acme/fleet-infra/compare/${BASE}...${HEAD}?per_page=abc`,
      says: /per_page/,
    },
  },
  {
    type: 'gitlab',
    provider: (url) => ({ address: 'https://gitlab.com/acme/platform/fleet-infra', apiUrl: url }),
    secret: { token: 'glpat-contractToken0123456789' },
    asks: {
      method: 'GET',
      path: /^\/api\/v4\/projects\/acme%2Fplatform%2Ffleet-infra\/repository\/compare$/,
    },
    violation: { method: 'GET', path: `/api/v4/projects/1/repository/compare?from=${BASE}`, says: /to/ },
  },
  {
    type: 'gitea',
    stripPrefix: '/api/v1',
    provider: (url) => ({ address: 'https://gitea.example.com/acme/fleet-infra', apiUrl: url }),
    secret: { token: 'giteaContractToken0123456789' },
    asks: {
      method: 'GET',
      path: new RegExp(`^/api/v1/repos/acme/fleet-infra/compare/${BASE}\\.\\.\\.${HEAD}$`),
    },
    violation: {
      method: 'GET',
      path: `/api/v1/repos/acme/fleet-infra/compare/${BASE}...${HEAD}?output=zip`,
      says: /output/,
    },
  },
  {
    type: 'bitbucket',
    stripPrefix: '/2.0',
    provider: (url) => ({ address: 'https://bitbucket.org/acme/fleet-infra', apiUrl: `${url}/2.0` }),
    secret: { token: 'ATCTT3xContractAccessToken0123' },
    asks: { method: 'GET', path: new RegExp(`^/2\\.0/repositories/acme/fleet-infra/commits/${HEAD}$`) },
    violation: {
      method: 'DELETE',
      path: `/2.0/repositories/acme/fleet-infra/commits/${HEAD}`,
      says: /405|method/i,
    },
  },
  {
    type: 'bitbucketserver',
    stripPrefix: '/rest',
    provider: (url) => ({ address: 'https://bitbucket.example.com/scm/PLAT/fleet-infra.git', apiUrl: url }),
    secret: { token: 'BBDC-contractToken0123456789' },
    asks: { method: 'GET', path: /^\/rest\/api\/latest\/projects\/PLAT\/repos\/fleet-infra\/commits$/ },
    violation: {
      method: 'GET',
      path: '/rest/api/latest/projects/PLAT/repos/fleet-infra/commits?limit=many',
      says: /limit/,
    },
  },
  {
    type: 'azuredevops',
    provider: (url) => ({
      address: 'https://dev.azure.com/acme/platform/_git/fleet-infra',
      apiUrl: `${url}/acme`,
    }),
    secret: { token: 'azureContractPat0123456789' },
    asks: { method: 'POST', path: /^\/acme\/platform\/_apis\/git\/repositories\/fleet-infra\/commitsbatch$/ },
    violation: {
      method: 'POST',
      path: '/acme/platform/_apis/git/repositories/fleet-infra/commitsbatch?api-version=7.1',
      body: { itemVersion: { version: BASE, versionType: 'sha' } },
      says: /versionType/,
    },
  },
];

describe.each(CONTRACTS)('$type commit range against its official description (Prism)', (contract) => {
  const prismUrl = inject('prism')[contract.type];
  let proxy: Awaited<ReturnType<typeof startSpecProxy>>;

  beforeAll(async () => {
    if (prismUrl !== undefined) proxy = await startSpecProxy(contract.type, prismUrl, contract.stripPrefix);
  });

  afterAll(async () => {
    await proxy?.server.stop();
  });

  it.skipIf(prismUrl === undefined)(
    'asks the compare operation in words the description accepts',
    async () => {
      // Prepare
      const provider = { type: contract.type, ...contract.provider(proxy.url) };
      const client = await createForgeClient(provider, credentialsFromSecret(contract.secret));
      if (!canReadRange(client)) throw new Error(`${contract.type} reads no commit ranges`);

      // Act: Prism answers with the description's example, which is no history of these commits.
      const range = await client.commitRange(BASE, HEAD, { limit: 50, deadline: Date.now() + 20_000 });

      // Assess
      expect(proxy.violations).toEqual([]);
      const first = proxy.server.requests[0];
      expect(first?.method).toBe(contract.asks.method);
      expect(first?.path).toMatch(contract.asks.path);
      expect(typeof range.descends).toBe('boolean');
      expect(range.commits.length).toBeLessThanOrEqual(50);
      expect(proxy.server.requests.length).toBeLessThanOrEqual(3);
    },
  );

  it.skipIf(prismUrl === undefined)(
    'catches a request the description refuses (the check can fail)',
    async () => {
      const before = proxy.violations.length;

      await fetch(`${proxy.url}${contract.violation.path}`, {
        method: contract.violation.method,
        headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
        ...(contract.violation.body === undefined ? {} : { body: JSON.stringify(contract.violation.body) }),
      });

      const found = proxy.violations.slice(before);
      proxy.violations.length = before;
      expect(found.some((violation) => contract.violation.says.test(violation))).toBe(true);
    },
  );
});
