import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpecCheckedFake } from '../fakes/fake-forge.js';
import { FIXTURES, fixture, sign, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { CONTEXT, OTHER_SHA, SHA } from '../harness/forge-behaviour.js';
import { FORGE_PROFILES } from '../harness/forges/index.js';
import { startTestServer } from '../harness/test-server.js';

const PROFILES = Object.values(FORGE_PROFILES);

/** The local server over real HTTP, one route per forge, each writing to its spec-checked fake. */
describe('local server end to end, once per forge', () => {
  const fakes = new Map<string, SpecCheckedFake>();
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    for (const profile of PROFILES) fakes.set(profile.type, await profile.start());
    const secrets: Record<string, unknown> = { 'e2e/webhook': { token: WEBHOOK_KEY } };
    const routes = PROFILES.map((profile) => {
      secrets[`e2e/${profile.type}`] = profile.secret;
      return {
        id: profile.type,
        cluster: 'prod-eu-1',
        auth: { type: 'hmac', secret: 'e2e/webhook' },
        provider: {
          type: profile.type,
          secret: `e2e/${profile.type}`,
          ...profile.provider(fakes.get(profile.type) as SpecCheckedFake),
        },
      };
    });
    server = await startTestServer({ routes }, secrets);
  });

  afterAll(async () => {
    await server.stop();
    for (const fake of fakes.values()) {
      expect(fake.violations).toEqual([]);
      await fake.stop();
    }
  });

  async function post(route: string, name: string) {
    const body = fixture(name);
    const response = await fetch(`${server.url}/hooks/${route}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-signature': sign(body),
        'gotk-component': 'kustomize-controller',
      },
    });
    return response.status;
  }

  it.each(PROFILES.map((profile) => [profile.type, profile] as const))(
    '%s: turns the fixtures into the statuses Flux would write, and skips the repeat',
    async (type, profile) => {
      // Prepare
      const fake = fakes.get(type) as SpecCheckedFake;

      // Act
      const answers = [];
      for (const name of [
        FIXTURES.progressing,
        FIXTURES.healthCheckFailed,
        FIXTURES.reconciled,
        FIXTURES.errorWithoutRevision,
        FIXTURES.reconciled,
      ]) {
        answers.push(await post(type, name));
      }

      // Assess
      expect(answers).toEqual([200, 200, 200, 202, 200]);
      expect(profile.written(fake, OTHER_SHA)[0]).toEqual({
        state: profile.states.failure,
        name: CONTEXT,
        description:
          "health check failed after 5m0.031402813s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
      });
      expect(profile.written(fake, SHA)).toEqual([
        { state: profile.states.success, name: CONTEXT, description: 'reconciliation succeeded' },
      ]);
      expect(fake.writes).toHaveLength(3);
    },
  );
});
