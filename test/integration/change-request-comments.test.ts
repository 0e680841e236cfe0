import { describe, expect, it } from 'vitest';
import { parseEnvironmentConfig } from '../../functions/config/environment-config.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import type { FakeComments } from '../fakes/fake-comments.js';
import type { SpecCheckedFake } from '../fakes/fake-forge.js';
import { testRoute, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { type ForgeProfile, useForge } from '../harness/forge-behaviour.js';
import { profile as gitea } from '../harness/forges/gitea.js';
import { profile as github } from '../harness/forges/github.js';
import { profile as gitlab } from '../harness/forges/gitlab.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

/**
 * Change-request comments as Flux 2.8's comment providers keep them (one per change request and
 * object, found again by its hidden key, edited in place), on each forge's stateful fake: GitHub's
 * and Gitea's requests judged by their official descriptions under Prism, GitLab's merge request
 * notes by what its documentation records (gitlab.json `x-contract.missingFromSpec`).
 */

const SHA = 'a'.repeat(40);
const UID = '0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a';
const MARKER = `<!-- flux-pr-comment-key:${UID}/Kustomization/flux-system/apps -->`;

type Commented = SpecCheckedFake & { comments: FakeComments };
const PROFILES = [github, gitlab, gitea] as unknown as Array<ForgeProfile<Commented>>;

function onChangeRequest(sha: string, verdict: Verdict, time: number, changeRequest = '42'): string {
  const event = JSON.parse(verdictEvent(sha, verdict, time));
  event.metadata.change_request = changeRequest;
  return JSON.stringify(event);
}

describe.each(PROFILES.map((profile) => [profile.type, profile] as const))('comments on %s', (_, profile) => {
  const forge = useForge(profile);
  const setup = () => {
    const route = forge.route();
    return forge.setup({
      routes: [
        forge.route({
          changeRequestComments: true,
          provider: { ...route.provider, metadata: { uid: UID } },
        }),
      ],
    });
  };
  const comments = () => forge.fake.comments.of(profile.repository, 42);

  it('keeps one comment per change request and object, edited from pending to the final verdict', async () => {
    const { handler, records } = setup();
    const now = Date.now();

    await handler(apiEvent({ body: onChangeRequest(SHA, 'pending', now - 60_000) }));
    const pending = comments().map((comment) => comment.body);
    await handler(apiEvent({ body: onChangeRequest(SHA, 'success', now) }));

    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatch(
      /^<!-- flux-pr-comment-key:0c9c2e41-[^>]+\/Kustomization\/flux-system\/apps -->\n\n## Flux Status\n\n/,
    );
    expect(pending[0]).toContain(
      '⏳ Kustomization/flux-system/apps: **in progress** on `prod-eu-1` at `aaaaaaa`',
    );
    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.body).toContain('✅ Kustomization/flux-system/apps: **succeeded** on `prod-eu-1`');
    expect(comments()[0]?.body).not.toContain('change_request');
    expect(records.map((record) => record.comment)).toEqual(['written', 'written']);
  });

  it('never puts an older verdict over a newer one', async () => {
    const { handler, records } = setup();
    const now = Date.now();

    await handler(apiEvent({ body: onChangeRequest(SHA, 'failure', now) }));
    await handler(apiEvent({ body: onChangeRequest(SHA, 'pending', now - 60_000) }));

    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.body).toContain('**failed**');
    expect(records[1]?.comment).toBe('superseded');
  });

  it('edits the comment Flux wrote with the same Provider uid, in place', async () => {
    forge.fake.comments.create(profile.repository, 42, `${MARKER}\n\n## Flux Status\n\nℹ️ old`, (c) => c);
    const { handler } = setup();

    await handler(apiEvent({ body: onChangeRequest(SHA, 'success', Date.now()) }));

    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.body.startsWith(MARKER)).toBe(true);
    expect(comments()[0]?.body).toContain('**succeeded**');
  });

  it('ends a pending that no verdict followed with the sweep’s error, in the same comment', async () => {
    const clock = { now: Date.now() };
    const route = forge.route();
    const { relay, sweep } = testRelay(
      [forge.route({ changeRequestComments: true, provider: { ...route.provider, metadata: { uid: UID } } })],
      { secrets: forge.secrets(), now: () => clock.now },
    );
    await apiGatewayHandler(relay)(apiEvent({ body: onChangeRequest(SHA, 'pending', clock.now) }));
    clock.now += 31 * 60_000;

    await sweep();

    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.body).toBe(
      `${MARKER}\n\n## Flux Status\n\n⚠️ Kustomization/flux-system/apps: **ended without a verdict** on \`prod-eu-1\` at \`aaaaaaa\`\n\n` +
        "no verdict from prod-eu-1 within 30m; see the cluster's kustomize-controller\n\n",
    );
  });

  it('scrubs the forge token from a message that quotes it', async () => {
    const { handler } = setup();
    const token = Object.values(profile.secret)[0] as string;
    const event = JSON.parse(onChangeRequest(SHA, 'failure', Date.now()));
    event.message = `clone https://x:${token}@example.com failed`;

    await handler(apiEvent({ body: JSON.stringify(event) }));

    expect(comments()).toHaveLength(1);
    expect(comments()[0]?.body).not.toContain(token);
  });

  it('writes no comment for an event without change_request', async () => {
    const { handler } = setup();

    await handler(apiEvent({ body: verdictEvent(SHA, 'success', Date.now()) }));

    expect(forge.fake.comments.byChangeRequest.size).toBe(0);
  });
});

describe('changeRequestComments in the config', () => {
  it('is refused on a forge without change-request comments, naming the field', () => {
    const route = {
      ...testRoute('https://api.bitbucket.org/2.0', {
        provider: {
          type: 'bitbucket',
          address: 'https://bitbucket.org/acme/fleet-infra',
          secret: 'test/forge',
        },
      }),
      changeRequestComments: true,
    };

    expect(() => parseEnvironmentConfig(JSON.stringify({ routes: [route] }), 'prod.json')).toThrow(
      /prod\.json: routes\[0\]\.changeRequestComments: is only for github, gitlab, gitea routes/,
    );
  });
});
