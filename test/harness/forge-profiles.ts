import type { ForgeType } from '../../functions/forges/registry.js';
import { FakeAzureDevOps } from '../fakes/fake-azure-devops.js';
import { FakeBitbucket } from '../fakes/fake-bitbucket.js';
import { FakeBitbucketServer } from '../fakes/fake-bitbucket-server.js';
import { type SpecCheckedFake, specCheckFor } from '../fakes/fake-forge.js';
import { FakeGitea } from '../fakes/fake-gitea.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FakeGitLab } from '../fakes/fake-gitlab.js';
import { FORGE_TOKEN } from './flux-fixtures.js';
import type { ForgeProfile } from './forge-behaviour.js';

/** One route's worth of each forge: its fake, its address, its secret, its words. */

export const github: ForgeProfile<FakeGitHub> = {
  type: 'github',
  repository: 'acme/fleet-infra',
  where: 'GitHub acme/fleet-infra',
  start: () => new FakeGitHub(specCheckFor('github')).start(),
  provider: (fake) => ({ address: 'https://github.com/acme/fleet-infra', apiUrl: fake.url }),
  secret: { token: FORGE_TOKEN },
  states: { success: 'success', failure: 'failure', pending: 'pending', error: 'error' },
  auth: { header: 'authorization', value: `token ${FORGE_TOKEN}` },
  written: (fake, sha) =>
    fake.statusesOf(github.repository, sha).map((status) => ({
      state: status.state,
      name: status.context,
      description: status.description ?? '',
    })),
};

const GITLAB_TOKEN = 'glpat-forgeTokenThatMustNeverLeak01';

export const gitlab: ForgeProfile<FakeGitLab> = {
  type: 'gitlab',
  repository: 'acme/platform/fleet-infra',
  where: 'GitLab acme/platform/fleet-infra',
  start: () => new FakeGitLab(specCheckFor('gitlab')).start(),
  provider: (fake) => ({ address: 'https://gitlab.com/acme/platform/fleet-infra', apiUrl: fake.url }),
  secret: { token: GITLAB_TOKEN },
  states: { success: 'success', failure: 'failed', pending: 'running', error: 'canceled' },
  auth: { header: 'private-token', value: GITLAB_TOKEN },
  written: (fake, sha) =>
    fake
      .statusesOf(gitlab.repository, sha)
      .map((status) => ({ state: status.status, name: status.name, description: status.description ?? '' })),
};

const GITEA_TOKEN = 'giteaForgeTokenThatMustNeverLeak0123';

export const gitea: ForgeProfile<FakeGitea> = {
  type: 'gitea',
  repository: 'acme/fleet-infra',
  where: 'Gitea acme/fleet-infra',
  start: () => new FakeGitea(specCheckFor('gitea', '/api/v1')).start(),
  provider: (fake) => ({ address: 'https://gitea.example.com/acme/fleet-infra.git', apiUrl: fake.url }),
  secret: { token: GITEA_TOKEN },
  states: { success: 'success', failure: 'failure', pending: 'pending', error: 'error' },
  auth: { header: 'authorization', value: `token ${GITEA_TOKEN}` },
  written: (fake, sha) =>
    fake
      .statusesOf(gitea.repository, sha)
      .map((status) => ({ state: status.status, name: status.context, description: status.description })),
};

const BITBUCKET_TOKEN = 'ATCTT3xFfGN0accessTokenThatMustNeverLeak';

export const bitbucket: ForgeProfile<FakeBitbucket> = {
  type: 'bitbucket',
  repository: 'acme/fleet-infra',
  where: 'Bitbucket acme/fleet-infra',
  start: () => new FakeBitbucket(specCheckFor('bitbucket', '/2.0')).start(),
  provider: (fake) => ({ address: 'git@bitbucket.org:acme/fleet-infra.git', apiUrl: `${fake.url}/2.0` }),
  secret: { token: BITBUCKET_TOKEN },
  states: { success: 'SUCCESSFUL', failure: 'FAILED', pending: 'INPROGRESS', error: 'STOPPED' },
  auth: { header: 'authorization', value: `Bearer ${BITBUCKET_TOKEN}` },
  written: (fake, sha) =>
    fake
      .statusesOf(bitbucket.repository, sha)
      .map((status) => ({ state: status.state, name: status.name, description: status.description })),
};

const BITBUCKET_SERVER_TOKEN = 'BBDC-httpAccessTokenThatMustNeverLeak01';

export const bitbucketServer: ForgeProfile<FakeBitbucketServer> = {
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
  written: (fake, sha) =>
    fake
      .statusesOf(bitbucketServer.repository, sha)
      .map((status) => ({ state: status.state, name: status.name, description: status.description })),
};

const AZURE_PAT = 'azurePersonalAccessTokenThatMustNeverLeak';

export const azureDevOps: ForgeProfile<FakeAzureDevOps> = {
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
  written: (fake, sha) =>
    fake
      .statusesOf(azureDevOps.repository, sha)
      .map((status) => ({ state: status.state, name: status.context.name, description: status.description })),
};

/** Every forge's profile: a forge added to the registry is not done until it has one here. */
export const FORGE_PROFILES: { [T in ForgeType]: ForgeProfile<SpecCheckedFake> } = {
  github,
  gitlab,
  gitea,
  bitbucket,
  bitbucketserver: bitbucketServer,
  azuredevops: azureDevOps,
};
