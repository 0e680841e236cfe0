import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { RouteInput } from '../../functions/config/route-schema.js';
import type { ForgeType } from '../../functions/forges/registry.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import type { SpecName } from '../fakes/forge-specs.js';
import { startSpecProxy } from '../fakes/spec-proxy.js';
import { eventOf, FIXTURES, fixture, MemorySecrets, testRoute, WEBHOOK_KEY } from './flux-fixtures.js';
import { apiEvent, testRelay } from './relay-harness.js';

/** The status name the contract cases' route writes. */
export const CONTRACT_CONTEXT = 'kustomization/apps/prod-eu-1';

export interface ContractProfile {
  /** The suite's name: the forge and the description's edition. */
  title: string;
  spec: SpecName;
  type: ForgeType;
  /** The route's time budget, where the client's own pacing needs more than the default under Prism. */
  budgetMs?: number;
  /** The path the client sends before the description's paths begin. */
  stripPrefix?: string;
  provider(proxyUrl: string): { address: string; apiUrl: string };
  secret: Record<string, string>;
  /** The forge's words for each state (`error`: the pending sweep's), as the written body carries them. */
  written: Record<'success' | 'failure' | 'pending' | 'error', Record<string, unknown>>;
  /** A request the description refuses, and what the violations must say. */
  violation: { method: string; path: string; body: unknown; says: RegExp[] };
}

function budgetOf(profile: ContractProfile): { budgetMs?: number } {
  return profile.budgetMs === undefined ? {} : { budgetMs: profile.budgetMs };
}

export function prismFor(spec: SpecName): string | undefined {
  return inject('prism')[spec];
}

/**
 * The real handler and client against the forge's official description served by Prism: each state
 * is written and judged, a long description and target URL stay within the forge's limits, and a
 * request that breaks the description is caught (the check itself can fail).
 */
export function contractCases(profile: ContractProfile, prismUrl: string) {
  let proxy: Awaited<ReturnType<typeof startSpecProxy>>;

  beforeAll(async () => {
    proxy = await startSpecProxy(profile.spec, prismUrl, profile.stripPrefix);
  });

  afterAll(async () => {
    await proxy.server.stop();
  });

  function handler(overrides: Partial<RouteInput> = {}) {
    const route = testRoute('', {
      provider: { type: profile.type, secret: 'test/forge', ...profile.provider(proxy.url) },
      ...overrides,
    });
    const secrets = new MemorySecrets({
      'test/webhook': { token: WEBHOOK_KEY },
      'test/forge': profile.secret,
    });
    return apiGatewayHandler(testRelay([route], { secrets, ...budgetOf(profile) }).relay);
  }

  it.each([
    ['success', FIXTURES.reconciled],
    ['failure', FIXTURES.healthCheckFailed],
    ['pending', FIXTURES.progressing],
  ] as const)('writes a %s status that the forge’s description accepts', async (state, name) => {
    // Prepare
    const before = proxy.server.requests.length;

    // Act
    const response = await handler()(apiEvent({ body: fixture(name) }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ outcome: 'written', state });
    const sent = proxy.server.requests.slice(before);
    expect(sent.map((request) => request.method)).toEqual(['GET', 'POST']);
    expect(JSON.parse(sent[1]?.body ?? '{}')).toMatchObject(profile.written[state]);
    expect(proxy.violations).toEqual([]);
  });

  it('writes the pending sweep’s `error` in words the forge’s description accepts', async () => {
    // Prepare: the fixture's Progressing is months old, so its 30 minutes are long past.
    const route = testRoute('', {
      provider: { type: profile.type, secret: 'test/forge', ...profile.provider(proxy.url) },
    });
    const secrets = new MemorySecrets({
      'test/webhook': { token: WEBHOOK_KEY },
      'test/forge': profile.secret,
    });
    const { relay, sweep } = testRelay([route], { secrets, ...budgetOf(profile) });
    await apiGatewayHandler(relay)(apiEvent({ body: fixture(FIXTURES.progressing) }));
    const before = proxy.server.requests.length;

    // Act
    const result = await sweep();

    // Assess
    expect(result).toEqual({ resolved: 1, failed: 0, dropped: 0, silentRoutes: 0 });
    const posted = proxy.server.requests.slice(before).filter((request) => request.method === 'POST');
    expect(posted).toHaveLength(1);
    expect(JSON.parse(posted[0]?.body ?? '{}')).toMatchObject(profile.written.error);
    expect(proxy.violations).toEqual([]);
  });

  it('keeps a long description and a long target URL within what the forge takes', async () => {
    const event = eventOf(FIXTURES.healthCheckFailed);
    event.message = 'y'.repeat(1000);
    const targetUrl = `https://grafana.example.com/d/flux?q=${'z'.repeat(600)}`;

    const response = await handler({ targetUrl })(apiEvent({ body: JSON.stringify(event) }));

    expect(response.statusCode).toBe(200);
    expect(proxy.violations).toEqual([]);
  });

  it('catches a request that breaks the description (the check itself can fail)', async () => {
    const before = proxy.violations.length;

    await fetch(`${proxy.url}${profile.violation.path}`, {
      method: profile.violation.method,
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: JSON.stringify(profile.violation.body),
    });

    const found = proxy.violations.slice(before);
    proxy.violations.length = before;
    for (const says of profile.violation.says) {
      expect(found.some((violation) => says.test(violation))).toBe(true);
    }
  });
}
