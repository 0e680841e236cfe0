import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommitStatus } from '../../functions/forges/forge.js';
import { createClient } from '../../functions/forges/github/client.js';
import { parseGitHubAddress } from '../../functions/forges/github/descriptor.js';
import { FakeGitHub } from '../fakes/fake-github.js';

const SPACING_MS = 300;

function status(sha: string): CommitStatus {
  return { sha, state: 'success', context: 'kustomization/apps/prod-eu-1', description: 'reconciled' };
}

/** GitHub's one-write-a-second advice, kept by the request policy (GITHUB_WRITE_SPACING_MS shortens it). */
describe('GitHub write spacing', () => {
  let github: FakeGitHub;

  beforeEach(async () => {
    vi.stubEnv('GITHUB_WRITE_SPACING_MS', String(SPACING_MS));
    github = await new FakeGitHub().start();
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await github.stop();
  });

  function client() {
    return createClient(parseGitHubAddress('https://github.com/acme/fleet-infra', github.url), {
      token: 'ghp_x',
    });
  }

  it('queues writes made at the same time one slot apart', async () => {
    const deadline = Date.now() + 5000;
    const started = Date.now();

    const client_ = client();
    await Promise.all(['c', 'd', 'e'].map((hex) => client_.write(status(hex.repeat(40)), { deadline })));

    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * SPACING_MS - 5);
    expect(github.writes).toHaveLength(3);
  });
});
