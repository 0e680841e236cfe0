import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ForgeUnavailableError } from '../../functions/core/errors.js';
import {
  createForgeClient,
  FORGES as FORGES_BY_TYPE,
  type ProviderSettings,
} from '../../functions/forges/registry.js';
import type { SpecCheckedFake } from '../fakes/fake-forge.js';
import { CONTEXT, SHA } from '../harness/forge-behaviour.js';
import { FORGE_PROFILES } from '../harness/forges/index.js';

/** A port of 127.0.0.1 that was free a moment ago and that nobody listens on now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** Each forge's profile, with its provider pointed at a URL no fake serves. */
const FORGES = Object.values(FORGE_PROFILES).map(
  (profile) =>
    [
      FORGES_BY_TYPE[profile.type].label,
      profile.type,
      profile.where,
      (url: string) => profile.provider({ url } as SpecCheckedFake),
    ] as const,
);

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
