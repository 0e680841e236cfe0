import { specCheckFor } from '../../fakes/fake-forge.js';
import { FakeGitHub } from '../../fakes/fake-github.js';
import { FORGE_TOKEN } from '../flux-fixtures.js';
import type { ForgeEntry } from './index.js';

/** The route, fake, words and addresses of GitHub: the shared behaviour suite reads them. */
export const profile: ForgeEntry<FakeGitHub> = {
  type: 'github',
  repository: 'acme/fleet-infra',
  where: 'GitHub acme/fleet-infra',
  start: () => new FakeGitHub(specCheckFor('github')).start(),
  provider: (fake) => ({ address: 'https://github.com/acme/fleet-infra', apiUrl: fake.url }),
  secret: { token: FORGE_TOKEN },
  states: { success: 'success', failure: 'failure', pending: 'pending', error: 'error' },
  auth: { header: 'authorization', value: `token ${FORGE_TOKEN}` },
  addresses: {
    accepted: [
      [
        'https://github.com/acme/fleet-infra',
        undefined,
        {
          apiUrl: 'https://api.github.com',
          owner: 'acme',
          repo: 'fleet-infra',
          repository: 'acme/fleet-infra',
        },
      ],
      [
        'git@github.com:acme/fleet-infra.git',
        undefined,
        { apiUrl: 'https://api.github.com', repo: 'fleet-infra' },
      ],
      ['ssh://git@github.com/acme/fleet-infra.git', undefined, { owner: 'acme', repo: 'fleet-infra' }],
      [
        'https://ghe.example.com/acme/fleet-infra.git',
        undefined,
        { apiUrl: 'https://ghe.example.com/api/v3', webUrl: 'https://ghe.example.com/acme/fleet-infra' },
      ],
      [
        'https://ghe.example.com/acme/fleet-infra',
        'https://api.ghe.example.com/',
        { apiUrl: 'https://api.ghe.example.com' },
      ],
    ],
    refused: [
      ['https://github.com/acme', undefined, /<owner>\/<repo>/],
      ['https://github.com/acme/fleet-infra/tree/main', undefined, /<owner>\/<repo>/],
      ['https://token:x-oauth@github.com/acme/fleet-infra', undefined, /must not carry credentials/],
    ],
  },
  written: (fake, sha) =>
    fake.statusesOf(profile.repository, sha).map((status) => ({
      state: status.state,
      name: status.context,
      description: status.description ?? '',
    })),
};
