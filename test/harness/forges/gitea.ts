import { specCheckFor } from '../../fakes/fake-forge.js';
import { FakeGitea } from '../../fakes/fake-gitea.js';
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
  written: (fake, sha) =>
    fake
      .statusesOf(profile.repository, sha)
      .map((status) => ({ state: status.status, name: status.context, description: status.description })),
};
