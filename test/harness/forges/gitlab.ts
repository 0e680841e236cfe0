import { specCheckFor } from '../../fakes/fake-forge.js';
import { FakeGitLab } from '../../fakes/fake-gitlab.js';
import { CONTRACT_CONTEXT } from '../forge-contract.js';
import type { ForgeEntry } from './index.js';

const GITLAB_TOKEN = 'glpat-forgeTokenThatMustNeverLeak01';

/** The route, fake, words and addresses of GitLab: the shared behaviour suite reads them. */
export const profile: ForgeEntry<FakeGitLab> = {
  type: 'gitlab',
  repository: 'acme/platform/fleet-infra',
  where: 'GitLab acme/platform/fleet-infra',
  start: () => new FakeGitLab(specCheckFor('gitlab')).start(),
  provider: (fake) => ({ address: 'https://gitlab.com/acme/platform/fleet-infra', apiUrl: fake.url }),
  secret: { token: GITLAB_TOKEN },
  states: { success: 'success', failure: 'failed', pending: 'running', error: 'canceled' },
  auth: { header: 'private-token', value: GITLAB_TOKEN },
  addresses: {
    accepted: [
      [
        'https://gitlab.com/acme/platform/fleet-infra',
        undefined,
        {
          apiUrl: 'https://gitlab.com/api/v4',
          projectId: 'acme/platform/fleet-infra',
          webUrl: 'https://gitlab.com/acme/platform/fleet-infra',
        },
      ],
      ['git@gitlab.com:acme/fleet-infra.git', undefined, { projectId: 'acme/fleet-infra' }],
      [
        'https://gitlab.com/1234',
        undefined,
        { apiUrl: 'https://gitlab.com/api/v4', projectId: 1234, webUrl: 'https://gitlab.com/projects/1234' },
      ],
      [
        'https://git.example.com/infra/clusters/eu/fleet.git',
        undefined,
        { apiUrl: 'https://git.example.com/api/v4', projectId: 'infra/clusters/eu/fleet' },
      ],
      [
        'https://git.example.com:8443/acme/fleet-infra',
        undefined,
        { apiUrl: 'https://git.example.com:8443/api/v4', projectId: 'acme/fleet-infra' },
      ],
      [
        'https://host.example.com/gitlab/acme/fleet-infra',
        'https://host.example.com/gitlab',
        {
          apiUrl: 'https://host.example.com/gitlab/api/v4',
          projectId: 'acme/fleet-infra',
          webUrl: 'https://host.example.com/gitlab/acme/fleet-infra',
        },
      ],
      [
        'git@host.example.com:acme/fleet-infra.git',
        'https://host.example.com/gitlab/api/v4/',
        { apiUrl: 'https://host.example.com/gitlab/api/v4', projectId: 'acme/fleet-infra' },
      ],
      // Without apiUrl, a path is a group path: a sub-path cannot be told from a group.
      [
        'https://host.example.com/gitlab/acme/fleet-infra',
        undefined,
        { projectId: 'gitlab/acme/fleet-infra' },
      ],
    ],
    refused: [
      ['https://gitlab.com/acme', undefined, /<group>\[\/<subgroup>…\]\/<project> or by its numeric id/],
      ['https://gitlab.com/acme/fleet-infra/-/tree/main', undefined, /is a page of a GitLab project/],
      ['https://gitlab.com/acme/fleet-infra?ref=main', undefined, /must not have a query/],
      ['https://gitlab.com/acme/fleet', 'gitlab.example.com', /apiUrl "gitlab.example.com" is not a URL/],
      ['ftp://gitlab.com/acme/fleet-infra', undefined, /uses ftp/],
    ],
  },
  contract: {
    title: 'GitLab contract (Prism, GitLab openapi_v2)',
    spec: 'gitlab',
    provider: (url) => ({ address: 'https://gitlab.com/acme/platform/fleet-infra', apiUrl: url }),
    secret: { token: 'glpat-contractToken0123456789' },
    written: {
      success: { state: 'success', name: CONTRACT_CONTEXT, ref: 'main' },
      failure: { state: 'failed', name: CONTRACT_CONTEXT },
      pending: { state: 'running', name: CONTRACT_CONTEXT },
      error: { state: 'canceled', name: CONTRACT_CONTEXT },
    },
    violation: {
      method: 'POST',
      path: '/api/v4/projects/acme%2Ffleet-infra/statuses/df277975d2783b0e7fd4d0487d990bd60442923c',
      body: { state: 'succeeded', target_url: `https://example.com/${'x'.repeat(300)}` },
      says: [/state/, /target_url: \d+ characters, the forge allows 255/],
    },
  },
  written: (fake, sha) =>
    fake
      .statusesOf(profile.repository, sha)
      .map((status) => ({ state: status.status, name: status.name, description: status.description ?? '' })),
};
