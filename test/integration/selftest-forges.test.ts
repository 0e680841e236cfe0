import { afterEach, describe, expect, it } from 'vitest';
import { RouteSchema } from '../../functions/config/route-schema.js';
import { PROBE_SHA } from '../../functions/forges/probe.js';
import { checkRoute } from '../../scripts/lib/selftest.js';
import { LoopbackServer } from '../fakes/loopback-server.js';
import { MemorySecrets } from '../harness/flux-fixtures.js';
import type { ForgeProfile } from '../harness/forge-behaviour.js';
import { profile as azureDevOps } from '../harness/forges/azuredevops.js';
import { profile as bitbucket } from '../harness/forges/bitbucket.js';
import { profile as bitbucketServer } from '../harness/forges/bitbucketserver.js';
import { profile as gitea } from '../harness/forges/gitea.js';

type Fake = Awaited<ReturnType<ForgeProfile<any>['start']>>;

const running: Fake[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((fake) => fake.stop()));
});

function route(profile: ForgeProfile<any>, provider: { address: string; apiUrl: string }) {
  return RouteSchema.parse({
    id: `r-${profile.type}`,
    auth: { secret: 'hook' },
    provider: { type: profile.type, secret: 'forge', ...provider },
  });
}

function secrets(profile: ForgeProfile<any>) {
  return new MemorySecrets({ hook: { token: 'webhook-key' }, forge: profile.secret });
}

/** A port that nothing listens on: a server started and stopped. */
async function deadUrl() {
  const server = await new LoopbackServer(() => ({ status: 200 })).start();
  const { url } = server;
  await server.stop();
  return url;
}

/**
 * What each forge answers to the read: Gitea and Azure DevOps list a commit's statuses (empty for a
 * commit without any); both Bitbuckets read one status by key, and answer 404 when there is none.
 */
const CASES: [string, ForgeProfile<any>, RegExp][] = [
  ['Gitea', gitea, /^the token reads commit statuses on Gitea; write permission could not be proven/],
  [
    'Azure DevOps',
    azureDevOps,
    /^the token reads commit statuses on Azure DevOps; write permission could not be proven/,
  ],
  [
    'Bitbucket Cloud',
    bitbucket,
    /^Bitbucket answered 404 to a read of a status by key.*neither the repository nor write permission could be proven/,
  ],
  [
    'Bitbucket Server',
    bitbucketServer,
    /^Bitbucket Server answered 404 to a read of a status by key.*neither the repository nor write permission could be proven/,
  ],
];

describe.each(CASES)('selftest on %s', (_, profile, readable) => {
  async function start() {
    const fake = await profile.start();
    running.push(fake);
    return fake;
  }

  it('reads the statuses with the route’s token and warns that writing is not proven', async () => {
    // Prepare
    const fake = await start();

    // Act
    const verdict = await checkRoute(route(profile, profile.provider(fake)), secrets(profile));

    // Assess
    expect(verdict).toMatchObject({ route: `r-${profile.type}`, level: 'warn' });
    expect(verdict.detail).toMatch(readable);
    expect(fake.requests).toHaveLength(1);
    const [read] = fake.requests;
    expect(read?.method).toBe('GET');
    expect(read?.path).toContain(PROBE_SHA);
    expect(read?.headers[profile.auth.header]).toBe(profile.auth.value);
    expect(fake.writes).toEqual([]);
    // Under Prism the read is also judged by the forge's own description.
    expect(fake.violations).toEqual([]);
  });

  it.each([401, 403])('fails a token the forge refuses with %i, with the reason', async (status) => {
    const fake = await start();
    fake.script.push({ status, body: { message: 'Token is invalid or revoked' } });

    const verdict = await checkRoute(route(profile, profile.provider(fake)), secrets(profile));

    expect(verdict.level).toBe('fail');
    expect(verdict.detail).toContain(`answered ${status}`);
    expect(verdict.detail).toContain('Token is invalid or revoked');
    expect(JSON.stringify(verdict)).not.toContain(Object.values(profile.secret)[0]);
  });

  it('fails an unreachable forge', async () => {
    const provider = profile.provider({ url: await deadUrl() } as Fake);

    const verdict = await checkRoute(route(profile, provider), secrets(profile));

    expect(verdict).toMatchObject({ level: 'fail', detail: expect.stringMatching(/ECONNREFUSED/) });
  });
});

describe('selftest on a forge that only lists statuses', () => {
  it('fails a repository the forge does not find (404), with the reason', async () => {
    const fake = await gitea.start();
    running.push(fake);
    fake.script.push({ status: 404, body: { message: 'repository does not exist' } });

    const verdict = await checkRoute(route(gitea, gitea.provider(fake)), secrets(gitea));

    expect(verdict).toMatchObject({
      level: 'fail',
      detail: expect.stringMatching(/not found.*answered 404: repository does not exist/),
    });
  });
});
