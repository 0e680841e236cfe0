import { expect } from 'vitest';
import { FakeAzureDevOps } from '../../fakes/fake-azure-devops.js';
import { specCheckFor } from '../../fakes/fake-forge.js';
import { CONTRACT_CONTEXT } from '../forge-contract.js';
import type { ForgeEntry } from './index.js';

const AZURE_PAT = 'azurePersonalAccessTokenThatMustNeverLeak';

/** The route, fake, words and addresses of Azure DevOps: the shared behaviour suite reads them. */
export const profile: ForgeEntry<FakeAzureDevOps> = {
  type: 'azuredevops',
  repository: 'acme/platform/fleet-infra',
  where: 'Azure DevOps platform/fleet-infra',
  start: () => new FakeAzureDevOps(specCheckFor('azuredevops')).start(),
  provider: (fake) => ({
    address: 'https://dev.azure.com/acme/platform/_git/fleet-infra',
    apiUrl: `${fake.url}/acme`,
  }),
  secret: { token: AZURE_PAT },
  states: { success: 'succeeded', failure: 'error', pending: 'pending', error: 'error' },
  auth: { header: 'authorization', value: `Basic ${Buffer.from(`:${AZURE_PAT}`).toString('base64')}` },
  addresses: {
    accepted: [
      [
        'https://dev.azure.com/acme/platform/_git/fleet-infra',
        undefined,
        { apiUrl: 'https://dev.azure.com/acme', project: 'platform', repo: 'fleet-infra' },
      ],
      [
        'https://dev.azure.com/acme/_git/fleet-infra',
        undefined,
        { project: 'fleet-infra', repo: 'fleet-infra' },
      ],
      [
        'https://acme.visualstudio.com/platform/_git/fleet-infra',
        undefined,
        { apiUrl: 'https://acme.visualstudio.com', project: 'platform', repo: 'fleet-infra' },
      ],
      [
        'https://acme.visualstudio.com/DefaultCollection/platform/_git/fleet-infra',
        undefined,
        { apiUrl: 'https://acme.visualstudio.com/DefaultCollection', project: 'platform' },
      ],
      [
        'https://tfs.example.com/tfs/DefaultCollection/Platform%20Team/_git/fleet-infra',
        undefined,
        {
          apiUrl: 'https://tfs.example.com/tfs/DefaultCollection',
          project: 'Platform Team',
          webUrl: 'https://tfs.example.com/tfs/DefaultCollection/Platform%20Team/_git/fleet-infra',
        },
      ],
      [
        'git@ssh.dev.azure.com:v3/acme/platform/fleet-infra',
        undefined,
        { apiUrl: 'https://dev.azure.com/acme', project: 'platform', repo: 'fleet-infra' },
      ],
      [
        'https://dev.azure.com/acme/platform/_git/fleet-infra',
        'https://azure-proxy.example.com/acme/',
        { apiUrl: 'https://azure-proxy.example.com/acme' },
      ],
    ],
    refused: [
      ['https://dev.azure.com/acme/platform/fleet-infra', undefined, /_git\/<repo>/],
      ['https://dev.azure.com/acme/platform/_git/fleet-infra/pullrequests', undefined, /_git\/<repo>/],
      ['https://dev.azure.com/_git/fleet-infra', undefined, /_git\/<repo>/],
      ['https://tfs.example.com/tfs/_git/fleet-infra', undefined, /\/tfs\/<collection>\/<project>/],
      ['git@ssh.dev.azure.com:acme/platform/fleet-infra', undefined, /_git\/<repo>/],
    ],
  },
  contract: {
    title: 'Azure DevOps contract (Prism, vsts-rest-api-specs git 7.1)',
    spec: 'azuredevops',
    provider: (url) => ({
      address: 'https://dev.azure.com/acme/platform/_git/fleet-infra',
      apiUrl: `${url}/acme`,
    }),
    secret: { token: 'azureContractPat0123456789' },
    written: {
      success: { state: 'succeeded', context: { name: CONTRACT_CONTEXT, genre: 'fluxcd' } },
      failure: { state: 'error', context: { name: CONTRACT_CONTEXT, genre: 'fluxcd' } },
      pending: { state: 'pending', description: 'progressing' },
      error: {
        state: 'error',
        description: expect.stringMatching(/^no verdict from prod-eu-1 within 30m/),
      },
    },
    violation: {
      method: 'POST',
      path: '/acme/platform/_apis/git/repositories/fleet-infra/commits/df277975d2783b0e7fd4d0487d990bd60442923c/statuses',
      body: { state: 'success', context: { name: CONTRACT_CONTEXT } },
      says: [/api-version/],
    },
  },
  written: (fake, sha) =>
    fake
      .statusesOf(profile.repository, sha)
      .map((status) => ({ state: status.state, name: status.context.name, description: status.description })),
};
