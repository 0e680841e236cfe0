import { expect } from 'vitest';
import { FakeBitbucket } from '../../fakes/fake-bitbucket.js';
import { specCheckFor } from '../../fakes/fake-forge.js';
import { CONTRACT_CONTEXT } from '../forge-contract.js';
import type { ForgeEntry } from './index.js';

const BITBUCKET_TOKEN = 'ATCTT3xFfGN0accessTokenThatMustNeverLeak';

/** The route, fake, words and addresses of Bitbucket Cloud: the shared behaviour suite reads them. */
export const profile: ForgeEntry<FakeBitbucket> = {
  type: 'bitbucket',
  repository: 'acme/fleet-infra',
  where: 'Bitbucket acme/fleet-infra',
  start: () => new FakeBitbucket(specCheckFor('bitbucket', '/2.0')).start(),
  provider: (fake) => ({ address: 'git@bitbucket.org:acme/fleet-infra.git', apiUrl: `${fake.url}/2.0` }),
  secret: { token: BITBUCKET_TOKEN },
  states: { success: 'SUCCESSFUL', failure: 'FAILED', pending: 'INPROGRESS', error: 'STOPPED' },
  auth: { header: 'authorization', value: `Bearer ${BITBUCKET_TOKEN}` },
  addresses: {
    accepted: [
      [
        'https://bitbucket.org/acme/fleet-infra',
        undefined,
        {
          apiUrl: 'https://api.bitbucket.org/2.0',
          workspace: 'acme',
          repoSlug: 'fleet-infra',
          webUrl: 'https://bitbucket.org/acme/fleet-infra',
        },
      ],
      ['git@bitbucket.org:acme/fleet-infra.git', undefined, { workspace: 'acme', repoSlug: 'fleet-infra' }],
      [
        'https://bitbucket.org/acme/fleet-infra.git',
        'http://127.0.0.1:8080/2.0',
        { apiUrl: 'http://127.0.0.1:8080/2.0' },
      ],
    ],
    refused: [
      ['https://bitbucket.org/acme', undefined, /<workspace>\/<repo>/],
      ['https://bitbucket.example.com/scm/PLAT/fleet-infra.git', undefined, /use type "bitbucketserver"/],
      ['https://jdoe@bitbucket.org/acme/fleet-infra.git', undefined, /must not carry credentials/],
    ],
  },
  contract: {
    title: 'Bitbucket Cloud contract (Prism, Bitbucket Cloud API 2.0)',
    spec: 'bitbucket',
    stripPrefix: '/2.0',
    provider: (url) => ({ address: 'https://bitbucket.org/acme/fleet-infra', apiUrl: `${url}/2.0` }),
    secret: { token: 'ATCTT3xContractAccessToken0123' },
    written: {
      success: { state: 'SUCCESSFUL', name: CONTRACT_CONTEXT, key: expectKey() },
      failure: { state: 'FAILED', name: CONTRACT_CONTEXT, url: 'https://bitbucket.org/acme/fleet-infra' },
      pending: { state: 'INPROGRESS', name: CONTRACT_CONTEXT },
      error: { state: 'STOPPED', name: CONTRACT_CONTEXT },
    },
    violation: {
      method: 'POST',
      path: '/2.0/repositories/acme/fleet-infra/commit/df277975d2783b0e7fd4d0487d990bd60442923c/statuses/build',
      body: { key: 'k'.repeat(41), state: 'success' },
      says: [/state/, /key: 41 characters, the forge allows 40/],
    },
  },
  written: (fake, sha) =>
    fake
      .statusesOf(profile.repository, sha)
      .map((status) => ({ state: status.state, name: status.name, description: status.description })),
};

function expectKey() {
  return expect.stringMatching(/^[0-9a-f]{40}$/);
}
