import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ForgeUnavailableError } from '../../functions/core/errors.js';
import { createForgeClient, type ProviderSettings } from '../../functions/forges/registry.js';
import { CONTEXT, SHA } from '../harness/forge-behaviour.js';
import { azureDevOps, bitbucket, bitbucketServer, gitea, gitlab } from '../harness/forge-profiles.js';

/** A port of 127.0.0.1 that was free a moment ago and that nobody listens on now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

type Provider = (url: string) => Omit<ProviderSettings, 'type'>;
/** Each profile's provider needs only its fake's URL. */
const at =
  (profile: { provider: (fake: never) => Omit<ProviderSettings, 'type'> }): Provider =>
  (url) =>
    profile.provider({ url } as never);

const FORGES: [string, ProviderSettings['type'], string, Provider][] = [
  [
    'GitHub',
    'github',
    'GitHub acme/fleet-infra',
    (url) => ({ address: 'https://github.com/acme/fleet-infra', apiUrl: url }),
  ],
  ['GitLab', 'gitlab', gitlab.where, at(gitlab)],
  ['Gitea', 'gitea', gitea.where, at(gitea)],
  ['Bitbucket', 'bitbucket', bitbucket.where, at(bitbucket)],
  ['Bitbucket Server', 'bitbucketserver', bitbucketServer.where, at(bitbucketServer)],
  ['Azure DevOps', 'azuredevops', azureDevOps.where, at(azureDevOps)],
];

async function failureOf(type: ProviderSettings['type'], provider: Omit<ProviderSettings, 'type'>) {
  const client = await createForgeClient({ type, ...provider }, { token: 'connection-fault-token' });
  return client
    .write(
      { sha: SHA, state: 'success', context: CONTEXT, description: 'reconciliation succeeded' },
      { deadline: Date.now() + 10_000 },
    )
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

/** No forge answered, so no forge status: the system's code and the host, the same for every forge. */
describe.each(FORGES)('%s, when no connection can be made', (_name, type, where, provider) => {
  it('names the refused port and ECONNREFUSED', async () => {
    const port = await closedPort();

    const error = await failureOf(type, provider(`http://127.0.0.1:${port}`));

    expect(error).toBeInstanceOf(ForgeUnavailableError);
    expect((error as ForgeUnavailableError).forgeStatus).toBeUndefined();
    expect((error as Error).message).toMatch(
      new RegExp(`^${where} could not be reached at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\) after `),
    );
    expect((error as Error).message).not.toContain('connection-fault-token');
  });

  it('names the host that does not resolve and ENOTFOUND', async () => {
    const error = await failureOf(type, provider('http://nonexistent.invalid'));

    expect(error).toBeInstanceOf(ForgeUnavailableError);
    expect((error as ForgeUnavailableError).forgeStatus).toBeUndefined();
    expect((error as Error).message).toMatch(
      new RegExp(`^${where} could not be reached at nonexistent\\.invalid \\(ENOTFOUND\\) after `),
    );
  });
});
