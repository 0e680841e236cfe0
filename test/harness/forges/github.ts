import { specCheckFor } from '../../fakes/fake-forge.js';
import { FakeGitHub } from '../../fakes/fake-github.js';
import { FORGE_TOKEN } from '../flux-fixtures.js';
import { CONTRACT_CONTEXT } from '../forge-contract.js';
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
  contract: {
    title: 'GitHub contract (Prism, api.github.com description)',
    spec: 'github',
    provider: (url) => ({ address: 'https://github.com/acme/fleet-infra', apiUrl: url }),
    secret: { token: FORGE_TOKEN },
    // These cases judge request shapes, not speed: Prism on a busy 2-core runner can take seconds.
    budgetMs: 25_000,
    written: {
      success: { state: 'success', context: CONTRACT_CONTEXT },
      failure: { state: 'failure', context: CONTRACT_CONTEXT },
      pending: { state: 'pending', context: CONTRACT_CONTEXT },
      error: {
        state: 'error',
        context: CONTRACT_CONTEXT,
        description: "no verdict from prod-eu-1 within 30m; see the cluster's kustomize-controller",
      },
    },
    violation: {
      method: 'POST',
      path: `/repos/acme/fleet-infra/statuses/${'a'.repeat(40)}`,
      body: { state: 'succeeded', description: 'z'.repeat(141) },
      says: [/state/, /description: 141 characters/],
    },
  },
  written: (fake, sha) =>
    fake.statusesOf(profile.repository, sha).map((status) => ({
      state: status.state,
      name: status.context,
      description: status.description ?? '',
    })),
};
