import { FakeBitbucketServer } from '../../fakes/fake-bitbucket-server.js';
import { specCheckFor } from '../../fakes/fake-forge.js';
import { CONTRACT_CONTEXT } from '../forge-contract.js';
import type { ForgeEntry } from './index.js';

const BITBUCKET_SERVER_TOKEN = 'BBDC-httpAccessTokenThatMustNeverLeak01';

/** The route, fake, words and addresses of Bitbucket Server: the shared behaviour suite reads them. */
export const profile: ForgeEntry<FakeBitbucketServer> = {
  type: 'bitbucketserver',
  repository: 'PLAT/fleet-infra',
  where: 'Bitbucket Server PLAT/fleet-infra',
  start: () => new FakeBitbucketServer(specCheckFor('bitbucketserver', '/rest')).start(),
  provider: (fake) => ({
    address: 'https://bitbucket.example.com:7990/bitbucket/scm/PLAT/fleet-infra.git',
    apiUrl: fake.url,
  }),
  secret: { token: BITBUCKET_SERVER_TOKEN },
  states: { success: 'SUCCESSFUL', failure: 'FAILED', pending: 'INPROGRESS', error: 'CANCELLED' },
  auth: { header: 'authorization', value: `Bearer ${BITBUCKET_SERVER_TOKEN}` },
  addresses: {
    accepted: [
      [
        'https://bitbucket.example.com/scm/PLAT/fleet-infra.git',
        undefined,
        {
          apiUrl: 'https://bitbucket.example.com/rest',
          projectKey: 'PLAT',
          repoSlug: 'fleet-infra',
          webUrl: 'https://bitbucket.example.com/projects/PLAT/repos/fleet-infra',
        },
      ],
      [
        'https://bitbucket.example.com:7990/ctx/scm/PLAT/fleet-infra.git',
        undefined,
        {
          apiUrl: 'https://bitbucket.example.com:7990/ctx/rest',
          webUrl: 'https://bitbucket.example.com:7990/ctx/projects/PLAT/repos/fleet-infra',
        },
      ],
      ['http://bitbucket.internal:7990/scm/~jdoe/fleet-infra.git', undefined, { projectKey: '~jdoe' }],
      [
        'ssh://git@bitbucket.example.com:7999/PLAT/fleet-infra.git',
        'https://bitbucket.example.com/ctx',
        { apiUrl: 'https://bitbucket.example.com/ctx/rest', projectKey: 'PLAT', repoSlug: 'fleet-infra' },
      ],
    ],
    refused: [
      ['https://bitbucket.example.com/projects/PLAT/repos/fleet-infra', undefined, /HTTP clone URL.*\/scm\//],
      [
        'https://bitbucket.example.com/scm/PLAT/fleet-infra/extra.git',
        undefined,
        /end in \/<project>\/<repo>\.git/,
      ],
      ['ssh://git@bitbucket.example.com:7999/PLAT/fleet-infra.git', undefined, /ssh address.*set apiUrl/],
    ],
  },
  contract: {
    title: 'Bitbucket Server contract (Prism, Bitbucket Data Center 9.2)',
    spec: 'bitbucketserver',
    stripPrefix: '/rest',
    provider: (url) => ({ address: 'https://bitbucket.example.com/scm/PLAT/fleet-infra.git', apiUrl: url }),
    secret: { token: 'BBDC-contractToken0123456789' },
    written: {
      success: { state: 'SUCCESSFUL', name: CONTRACT_CONTEXT },
      failure: { state: 'FAILED', name: CONTRACT_CONTEXT },
      pending: {
        state: 'INPROGRESS',
        url: 'https://bitbucket.example.com/projects/PLAT/repos/fleet-infra',
      },
      error: { state: 'CANCELLED', url: 'https://bitbucket.example.com/projects/PLAT/repos/fleet-infra' },
    },
    violation: {
      method: 'POST',
      path: '/rest/api/latest/projects/PLAT/repos/fleet-infra/commits/df277975d2783b0e7fd4d0487d990bd60442923c/builds',
      body: { key: 'k', state: 'SUCCESS', name: 'n'.repeat(300) },
      says: [/url/, /state/, /name: 300 characters, the forge allows 255/],
    },
  },
  written: (fake, sha) =>
    fake
      .statusesOf(profile.repository, sha)
      .map((status) => ({ state: status.state, name: status.name, description: status.description })),
};
