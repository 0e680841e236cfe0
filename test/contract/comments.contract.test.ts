import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canComment } from '../../functions/forges/forge.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import { startSpecProxy } from '../fakes/spec-proxy.js';
import { prismFor } from '../harness/forge-contract.js';

const MARKER = '<!-- flux-pr-comment-key:test/Kustomization/flux-system/apps -->';
const BODY = `${MARKER}\n\n## Flux Status\n\n✅ Kustomization/flux-system/apps: **succeeded**`;

/**
 * The comment clients against GitHub's and Gitea's official descriptions served by Prism: the list
 * Prism answers (the description's example) holds no comment with the key, so the client creates
 * one; both requests must pass the description. Edits are judged the same way through the stateful
 * fakes (test/integration/change-request-comments.test.ts).
 */
describe.each([
  {
    spec: 'github' as const,
    type: 'github' as const,
    address: 'https://github.com/acme/fleet-infra',
    credentials: { token: 'ghp_contractToken0123456789' },
  },
  {
    spec: 'gitea' as const,
    type: 'gitea' as const,
    stripPrefix: '/api/v1',
    address: 'https://gitea.example.com/acme/fleet-infra',
    credentials: { token: 'giteaContractToken0123456789' },
  },
])('$spec change request comments (Prism)', ({ spec, type, stripPrefix, address, credentials }) => {
  const prism = prismFor(spec);
  let proxy: Awaited<ReturnType<typeof startSpecProxy>>;

  beforeAll(async () => {
    if (prism !== undefined) proxy = await startSpecProxy(spec, prism, stripPrefix);
  });

  afterAll(async () => {
    await proxy?.server.stop();
  });

  it.skipIf(prism === undefined)(
    'lists the pull request’s comments and creates the one with the key',
    async () => {
      const client = await createForgeClient({ type, address, apiUrl: proxy.url }, credentials);
      if (!canComment(client)) throw new Error(`${type} clients write comments`);

      const outcome = await client.upsertComment(
        { changeRequest: 42, marker: MARKER, body: BODY },
        { deadline: Date.now() + 10_000 },
      );

      expect(outcome).toBe('created');
      // A slow Prism may make the client try the POST again (its retry policy): each is the same.
      const [list, ...created] = proxy.server.requests;
      expect(list?.method).toBe('GET');
      expect(created.length).toBeGreaterThan(0);
      expect(created.map((request) => request.method)).toEqual(created.map(() => 'POST'));
      expect(JSON.parse(proxy.server.requests[1]?.body ?? '{}')).toEqual({ body: BODY });
      expect(proxy.violations).toEqual([]);
    },
  );

  it.skipIf(prism === undefined)('catches a comment without a body (the check itself can fail)', async () => {
    const before = proxy.violations.length;
    const path = `${stripPrefix ?? ''}/repos/acme/fleet-infra/issues/42/comments`;

    await fetch(`${proxy.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'token t' },
      body: JSON.stringify({ text: 'no body' }),
    });

    expect(proxy.violations.slice(before).some((violation) => /body/.test(violation))).toBe(true);
  });
});
