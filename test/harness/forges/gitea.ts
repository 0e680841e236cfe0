import { expect } from 'vitest';
import { specCheckFor } from '../../fakes/fake-forge.js';
import { FakeGitea } from '../../fakes/fake-gitea.js';
import { CONTRACT_CONTEXT } from '../forge-contract.js';
import type { ForgeEntry } from './index.js';

const GITEA_TOKEN = 'giteaForgeTokenThatMustNeverLeak0123';

/** The route, fake, words and addresses of Gitea: the shared behaviour suite reads them. */
export const profile: ForgeEntry<FakeGitea> = {
  type: 'gitea',
  repository: 'acme/fleet-infra',
  where: 'Gitea acme/fleet-infra',
  start: () => new FakeGitea(specCheckFor('gitea', '/api/v1')).start(),
  provider: (fake) => ({ address: 'https://gitea.example.com/acme/fleet-infra.git', apiUrl: fake.url }),
  secret: { token: GITEA_TOKEN },
  states: { success: 'success', failure: 'failure', pending: 'pending', error: 'error' },
  auth: { header: 'authorization', value: `token ${GITEA_TOKEN}` },
  addresses: {
    accepted: [
      [
        'https://gitea.example.com/acme/fleet-infra.git',
        undefined,
        { apiUrl: 'https://gitea.example.com/api/v1', owner: 'acme', repo: 'fleet-infra' },
      ],
      [
        'git@codeberg.org:acme/fleet-infra.git',
        undefined,
        { apiUrl: 'https://codeberg.org/api/v1', owner: 'acme' },
      ],
      [
        'https://example.com/forgejo/acme/fleet-infra',
        'https://example.com/forgejo',
        { apiUrl: 'https://example.com/forgejo/api/v1', owner: 'acme', repo: 'fleet-infra' },
      ],
      [
        'http://gitea.internal:3000/acme/fleet-infra',
        undefined,
        {
          apiUrl: 'http://gitea.internal:3000/api/v1',
          webUrl: 'http://gitea.internal:3000/acme/fleet-infra',
        },
      ],
    ],
    refused: [
      ['https://gitea.example.com/acme', undefined, /<owner>\/<repo>/],
      ['https://gitea.example.com/acme/fleet-infra/src/branch/main', undefined, /<owner>\/<repo>/],
      ['https://gitea.example.com/acme/fleet-infra', 'ftp://gitea.example.com', /must be http\(s\)/],
    ],
  },
  contract: {
    title: 'Gitea contract (Prism, Gitea swagger v1)',
    spec: 'gitea',
    stripPrefix: '/api/v1',
    provider: (url) => ({ address: 'https://gitea.example.com/acme/fleet-infra', apiUrl: url }),
    secret: { token: 'giteaContractToken0123456789' },
    written: {
      success: { state: 'success', context: CONTRACT_CONTEXT },
      failure: { state: 'failure', context: CONTRACT_CONTEXT },
      pending: { state: 'pending', context: CONTRACT_CONTEXT, description: 'progressing' },
      error: {
        state: 'error',
        context: CONTRACT_CONTEXT,
        description: expect.stringMatching(/^no verdict from prod-eu-1/),
      },
    },
    violation: {
      method: 'POST',
      path: '/api/v1/repos/acme/fleet-infra/statuses/df277975d2783b0e7fd4d0487d990bd60442923c',
      body: { state: 'succeeded', context: CONTRACT_CONTEXT },
      says: [/state/],
    },
  },
  written: (fake, sha) =>
    fake
      .statusesOf(profile.repository, sha)
      .map((status) => ({ state: status.status, name: status.context, description: status.description })),
};
