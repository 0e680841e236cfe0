import { describe, expect } from 'vitest';
import { contractCases, prismFor } from '../harness/forge-contract.js';

const prism = prismFor('bitbucket');
const CONTEXT = 'kustomization/apps/prod-eu-1';
const KEY = /^[0-9a-f]{40}$/;

/** The Bitbucket Cloud client against Atlassian's official description served by Prism. */
describe.skipIf(prism === undefined)('Bitbucket Cloud contract (Prism, Bitbucket Cloud API 2.0)', () => {
  contractCases(
    {
      spec: 'bitbucket',
      type: 'bitbucket',
      stripPrefix: '/2.0',
      provider: (url) => ({ address: 'https://bitbucket.org/acme/fleet-infra', apiUrl: `${url}/2.0` }),
      secret: { token: 'ATCTT3xContractAccessToken0123' },
      written: {
        success: { state: 'SUCCESSFUL', name: CONTEXT, key: expectKey() },
        failure: { state: 'FAILED', name: CONTEXT, url: 'https://bitbucket.org/acme/fleet-infra' },
        pending: { state: 'INPROGRESS', name: CONTEXT },
        error: { state: 'STOPPED', name: CONTEXT },
      },
      violation: {
        method: 'POST',
        path: '/2.0/repositories/acme/fleet-infra/commit/df277975d2783b0e7fd4d0487d990bd60442923c/statuses/build',
        body: { key: 'k'.repeat(41), state: 'success' },
        says: [/state/, /key: 41 characters, the forge allows 40/],
      },
    },
    prism as string,
  );
});

function expectKey() {
  return expect.stringMatching(KEY);
}
