import { describe, expect, it } from 'vitest';
import { parseEnvironmentConfig } from '../../functions/config/environment-config.js';
import { AddressError } from '../../functions/forges/git-address.js';
import { type ForgeType, parseProviderAddress } from '../../functions/forges/registry.js';

type Accepted = [address: string, apiUrl: string | undefined, location: Record<string, unknown>];
type Refused = [address: string, apiUrl: string | undefined, message: RegExp];

const ACCEPTED: Record<ForgeType, Accepted[]> = {
  github: [
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
  gitlab: [
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
    ['https://host.example.com/gitlab/acme/fleet-infra', undefined, { projectId: 'gitlab/acme/fleet-infra' }],
  ],
  gitea: [
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
      { apiUrl: 'http://gitea.internal:3000/api/v1', webUrl: 'http://gitea.internal:3000/acme/fleet-infra' },
    ],
  ],
  bitbucket: [
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
  bitbucketserver: [
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
  azuredevops: [
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
};

const REFUSED: Record<ForgeType, Refused[]> = {
  github: [
    ['https://github.com/acme', undefined, /<owner>\/<repo>/],
    ['https://github.com/acme/fleet-infra/tree/main', undefined, /<owner>\/<repo>/],
    ['https://token:x-oauth@github.com/acme/fleet-infra', undefined, /must not carry credentials/],
  ],
  gitlab: [
    ['https://gitlab.com/acme', undefined, /<group>\[\/<subgroup>…\]\/<project> or by its numeric id/],
    ['https://gitlab.com/acme/fleet-infra/-/tree/main', undefined, /is a page of a GitLab project/],
    ['https://gitlab.com/acme/fleet-infra?ref=main', undefined, /must not have a query/],
    ['https://gitlab.com/acme/fleet', 'gitlab.example.com', /apiUrl "gitlab.example.com" is not a URL/],
    ['ftp://gitlab.com/acme/fleet-infra', undefined, /uses ftp/],
  ],
  gitea: [
    ['https://gitea.example.com/acme', undefined, /<owner>\/<repo>/],
    ['https://gitea.example.com/acme/fleet-infra/src/branch/main', undefined, /<owner>\/<repo>/],
    ['https://gitea.example.com/acme/fleet-infra', 'ftp://gitea.example.com', /must be http\(s\)/],
  ],
  bitbucket: [
    ['https://bitbucket.org/acme', undefined, /<workspace>\/<repo>/],
    ['https://bitbucket.example.com/scm/PLAT/fleet-infra.git', undefined, /use type "bitbucketserver"/],
    ['https://jdoe@bitbucket.org/acme/fleet-infra.git', undefined, /must not carry credentials/],
  ],
  bitbucketserver: [
    ['https://bitbucket.example.com/projects/PLAT/repos/fleet-infra', undefined, /HTTP clone URL.*\/scm\//],
    [
      'https://bitbucket.example.com/scm/PLAT/fleet-infra/extra.git',
      undefined,
      /end in \/<project>\/<repo>\.git/,
    ],
    ['ssh://git@bitbucket.example.com:7999/PLAT/fleet-infra.git', undefined, /ssh address.*set apiUrl/],
  ],
  azuredevops: [
    ['https://dev.azure.com/acme/platform/fleet-infra', undefined, /_git\/<repo>/],
    ['https://dev.azure.com/acme/platform/_git/fleet-infra/pullrequests', undefined, /_git\/<repo>/],
    ['https://dev.azure.com/_git/fleet-infra', undefined, /_git\/<repo>/],
    ['https://tfs.example.com/tfs/_git/fleet-infra', undefined, /\/tfs\/<collection>\/<project>/],
    ['git@ssh.dev.azure.com:acme/platform/fleet-infra', undefined, /_git\/<repo>/],
  ],
};

describe.each(Object.keys(ACCEPTED) as ForgeType[])('%s addresses', (type) => {
  it.each(ACCEPTED[type])('reads %s (apiUrl %s)', (address, apiUrl, location) => {
    expect(parseProviderAddress(type, address, apiUrl)).toMatchObject(location);
  });

  it.each(REFUSED[type])('refuses %s (apiUrl %s) with a clear message', (address, apiUrl, message) => {
    const parse = () => parseProviderAddress(type, address, apiUrl);

    expect(parse).toThrow(AddressError);
    expect(parse).toThrow(message);
  });
});

describe('a wrong address in the config', () => {
  it('fails when the config is loaded, naming the route and the field', () => {
    const config = {
      routes: [
        {
          id: 'eu',
          auth: { secret: 'webhook' },
          provider: { type: 'azuredevops', address: 'https://dev.azure.com/acme/platform', secret: 'azure' },
        },
      ],
    };

    expect(() => parseEnvironmentConfig(JSON.stringify(config), 'prod.json')).toThrow(
      /prod\.json: .*routes\[0\]\.provider\.address: .*dev\.azure\.com\/<org>\/<project>\/_git\/<repo>/,
    );
  });
});
