import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type RouteInput, RouteSchema } from '../../functions/config/route-schema.js';
import { checkRoute, formatVerdict } from '../../scripts/lib/selftest.js';
import { FakeGitHubApp } from '../fakes/fake-github-app.js';
import { LoopbackServer, type RecordedRequest, type ScriptedResponse } from '../fakes/loopback-server.js';
import { MemorySecrets } from '../harness/flux-fixtures.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const TOKEN = 'glpat-selftestTokenThatMustNeverLeak01';
const servers: { stop(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(handler: (request: RecordedRequest) => ScriptedResponse) {
  const server = await new LoopbackServer(handler).start();
  servers.push(server);
  return server;
}

/** A port that nothing listens on: a server started and stopped. */
async function deadUrl() {
  const server = await new LoopbackServer(() => ({ status: 200 })).start();
  const { url } = server;
  await server.stop();
  return url;
}

function route(type: 'github' | 'gitlab', apiUrl: string, overrides: Partial<RouteInput> = {}) {
  return RouteSchema.parse({
    id: `r-${type}`,
    auth: { secret: 'hook' },
    provider: {
      type,
      address:
        type === 'github'
          ? 'https://github.com/acme/fleet-infra'
          : 'https://gitlab.example.com/acme/fleet-infra',
      secret: 'forge',
      apiUrl,
    },
    ...overrides,
  });
}

function secrets(forge: unknown) {
  return new MemorySecrets({ hook: { token: 'webhook-key' }, forge });
}

function githubRepo(permissions: Record<string, boolean>, expiration?: string) {
  return (request: RecordedRequest): ScriptedResponse => {
    if (request.headers.authorization !== `token ${TOKEN}`)
      return { status: 401, body: { message: 'Bad credentials' } };
    if (request.path !== '/repos/acme/fleet-infra') return { status: 404, body: { message: 'Not Found' } };
    return {
      status: 200,
      headers: expiration === undefined ? {} : { 'github-authentication-token-expiration': expiration },
      body: { full_name: 'acme/fleet-infra', permissions },
    };
  };
}

describe('selftest on GitHub with a token', () => {
  it('passes a token that may write, and prints its expiry date', async () => {
    const github = await serve(githubRepo({ pull: true, push: true }, '2027-03-01 00:00:00 UTC'));
    const verdict = await checkRoute(route('github', github.url), secrets({ token: TOKEN }), NOW);

    expect(verdict).toEqual({
      route: 'r-github',
      level: 'ok',
      detail:
        'the token may write commit statuses on GitHub acme/fleet-infra; the token expires on 2027-03-01',
    });
    expect(github.requests.every((request) => request.method === 'GET')).toBe(true);
  });

  it('warns within 14 days of the expiry', async () => {
    const github = await serve(githubRepo({ push: true }, '2026-12-10 00:00:00 UTC'));
    const verdict = await checkRoute(route('github', github.url), secrets({ token: TOKEN }), NOW);
    expect(verdict.level).toBe('warn');
    expect(verdict.detail).toMatch(/expires on 2026-12-10, in 8 days$/);
  });

  it('fails a token that can only read', async () => {
    const github = await serve(githubRepo({ pull: true, push: false }));
    const verdict = await checkRoute(route('github', github.url), secrets({ token: TOKEN }), NOW);
    expect(verdict).toMatchObject({
      level: 'fail',
      detail: expect.stringMatching(/can only read acme\/fleet-infra/),
    });
  });

  it('fails an expired or revoked token', async () => {
    const github = await serve(githubRepo({ push: true }));
    const verdict = await checkRoute(
      route('github', github.url),
      secrets({ token: 'ghp_revoked000000' }),
      NOW,
    );
    expect(verdict).toMatchObject({ level: 'fail', detail: 'GitHub refuses the token (expired or revoked)' });
  });

  it('fails an unreachable forge', async () => {
    const verdict = await checkRoute(route('github', await deadUrl()), secrets({ token: TOKEN }), NOW);
    expect(verdict).toMatchObject({
      level: 'fail',
      detail: expect.stringMatching(/is unreachable \(ECONNREFUSED\)$/),
    });
  });

  it('fails a route whose webhook key is missing, before asking the forge', async () => {
    const github = await serve(githubRepo({ push: true }));
    const verdict = await checkRoute(
      route('github', github.url),
      new MemorySecrets({ forge: { token: TOKEN } }),
      NOW,
    );
    expect(verdict).toMatchObject({ level: 'fail', detail: expect.stringMatching(/^webhook secret hook: /) });
    expect(github.requests).toHaveLength(0);
  });
});

describe('selftest on GitHub with an App', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const app = () => ({ githubAppID: String(installation), githubAppPrivateKey: privateKey });
  // A new App and installation for each test: a cached token is then never another test's.
  let installation = 9;

  async function fakeApp(repositories: string[]) {
    installation++;
    const github = await new FakeGitHubApp(String(installation), publicKey, [
      { id: installation, owner: 'acme', repositories },
    ]).start();
    servers.push(github);
    return github;
  }

  it('passes an App installed on the repository with statuses write', async () => {
    const github = await fakeApp(['acme/fleet-infra']);
    const verdict = await checkRoute(route('github', github.url), secrets(app()), NOW);
    expect(verdict).toEqual({
      route: 'r-github',
      level: 'ok',
      detail: `GitHub App ${installation} may write commit statuses on acme/fleet-infra`,
    });
    expect(github.jwtFaults).toEqual([]);
    expect(github.writes.map((request) => request.path)).toEqual([
      `/app/installations/${installation}/access_tokens`,
    ]);
  });

  it('fails an App whose installation may only read statuses', async () => {
    const github = await fakeApp(['acme/fleet-infra']);
    github.permissions = { metadata: 'read', statuses: 'read' };
    const verdict = await checkRoute(route('github', github.url), secrets(app()), NOW);
    expect(verdict).toMatchObject({
      level: 'fail',
      detail: `GitHub App ${installation} lacks "Commit statuses: Read and write"`,
    });
  });

  it('fails an App installed on the owner but not given the repository', async () => {
    const github = await fakeApp(['acme/other']);
    const verdict = await checkRoute(
      route('github', github.url),
      secrets({ ...app(), githubAppInstallationOwner: 'acme' }),
      NOW,
    );
    expect(verdict).toMatchObject({
      level: 'fail',
      detail: `GitHub App ${installation}'s installation does not include acme/fleet-infra`,
    });
  });

  it('fails an App that is not installed on the repository', async () => {
    const github = await fakeApp(['acme/other']);
    const verdict = await checkRoute(route('github', github.url), secrets(app()), NOW);
    expect(verdict).toMatchObject({
      level: 'fail',
      detail: expect.stringMatching(/answered 404: the GitHub App is not installed there/),
    });
    expect(formatVerdict(verdict)).toMatch(/^FAIL r-github: /);
  });
});

function gitlabProject(accessLevel: number, self: ScriptedResponse) {
  return (request: RecordedRequest): ScriptedResponse => {
    if (request.headers['private-token'] !== TOKEN)
      return { status: 401, body: { message: '401 Unauthorized' } };
    if (request.path === '/api/v4/personal_access_tokens/self') return self;
    if (request.path !== '/api/v4/projects/acme%2Ffleet-infra')
      return { status: 404, body: { message: '404 Project Not Found' } };
    return {
      status: 200,
      body: { id: 1, permissions: { project_access: { access_level: accessLevel }, group_access: null } },
    };
  };
}

describe('selftest on GitLab', () => {
  const apiUrl = (server: LoopbackServer) => `${server.url}/api/v4`;
  const active = (expires: string | null) => ({
    status: 200,
    body: { scopes: ['api'], expires_at: expires, active: true },
  });

  it('passes a Developer token and prints its expiry date', async () => {
    const gitlab = await serve(gitlabProject(30, active('2027-06-30')));
    const verdict = await checkRoute(route('gitlab', apiUrl(gitlab)), secrets({ token: TOKEN }), NOW);
    expect(verdict).toEqual({
      route: 'r-gitlab',
      level: 'ok',
      detail:
        'the token may write commit statuses on GitLab acme/fleet-infra; the token expires on 2027-06-30',
    });
  });

  it('warns within 14 days of the expiry', async () => {
    const gitlab = await serve(gitlabProject(40, active('2026-12-05')));
    const verdict = await checkRoute(route('gitlab', apiUrl(gitlab)), secrets({ token: TOKEN }), NOW);
    expect(verdict).toMatchObject({
      level: 'warn',
      detail: expect.stringMatching(/expires on 2026-12-05, in 3 days$/),
    });
  });

  it('fails a Reporter token, which can only read', async () => {
    const gitlab = await serve(gitlabProject(20, active(null)));
    const verdict = await checkRoute(route('gitlab', apiUrl(gitlab)), secrets({ token: TOKEN }), NOW);
    expect(verdict).toMatchObject({
      level: 'fail',
      detail: expect.stringMatching(/need the Developer role$/),
    });
  });

  it('fails a token without the api scope', async () => {
    const gitlab = await serve(
      gitlabProject(30, { status: 200, body: { scopes: ['read_api'], expires_at: null } }),
    );
    const verdict = await checkRoute(route('gitlab', apiUrl(gitlab)), secrets({ token: TOKEN }), NOW);
    expect(verdict).toMatchObject({
      level: 'fail',
      detail: 'the token lacks the "api" scope (it has read_api)',
    });
  });

  it('fails an expired token', async () => {
    const gitlab = await serve(gitlabProject(30, active(null)));
    const verdict = await checkRoute(
      route('gitlab', apiUrl(gitlab)),
      secrets({ token: 'glpat-expired0000' }),
      NOW,
    );
    expect(verdict).toMatchObject({ level: 'fail', detail: 'GitLab refuses the token (expired or revoked)' });
  });

  it('fails an unreachable forge', async () => {
    const verdict = await checkRoute(
      route('gitlab', `${await deadUrl()}/api/v4`),
      secrets({ token: TOKEN }),
      NOW,
    );
    expect(verdict).toMatchObject({ level: 'fail', detail: expect.stringMatching(/is unreachable/) });
  });

  it('never says the token in a verdict', async () => {
    const gitlab = await serve(gitlabProject(10, active(null)));
    const verdict = await checkRoute(route('gitlab', apiUrl(gitlab)), secrets({ token: TOKEN }), NOW);
    expect(JSON.stringify(verdict)).not.toContain(TOKEN);
  });
});
