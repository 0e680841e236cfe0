import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Route, RouteInput } from '../../functions/config/route-schema.js';
import { canReadRange } from '../../functions/forges/commit-range.js';
import { credentialsFromSecret } from '../../functions/forges/credentials.js';
import type { StatusState } from '../../functions/forges/forge.js';
import { createForgeClient, type ForgeType } from '../../functions/forges/registry.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { shaOf } from '../fakes/commit-graph.js';
import type { SpecCheckedFake } from '../fakes/fake-forge.js';
import {
  eventOf,
  FIXTURES,
  fixture,
  MemorySecrets,
  testRoute,
  verdictEvent,
  WEBHOOK_KEY,
} from './flux-fixtures.js';
import { apiEvent, testRelay } from './relay-harness.js';

export const SHA = 'df277975d2783b0e7fd4d0487d990bd60442923c';
export const OTHER_SHA = 'a549a44b3316991928c80b3bee0eb916d16c9dcc';
export const CONTEXT = 'kustomization/apps/prod-eu-1';

/** What the shared behaviour cases need to know of one forge and its fake. */
export interface ForgeProfile<F extends SpecCheckedFake> {
  type: ForgeType;
  /** How the fake keys the route's repository. */
  repository: string;
  /** How messages name the repository: `GitLab group/fleet-infra`. */
  where: string;
  start(): Promise<F>;
  /** The provider's address and apiUrl, pointing at the fake. */
  provider(fake: F): { address: string; apiUrl: string };
  secret: Record<string, string>;
  /** The forge's words for each state. */
  states: Record<StatusState, string>;
  /** The header that carries the credentials, and its expected value. */
  auth: { header: string; value: string };
  /** What the fake holds for the route's repository and this commit, newest first, in one shape. */
  written(fake: F, sha: string): Array<{ state: string; name: string; description: string }>;
}

export type ForgeHarness<F extends SpecCheckedFake> = ReturnType<typeof useForge<F>>;

/** A fresh spec-checked fake per test, and relays whose one route writes to it. */
export function useForge<F extends SpecCheckedFake>(profile: ForgeProfile<F>) {
  let fake: F;

  beforeEach(async () => {
    fake = await profile.start();
  });

  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    await fake.stop();
  });

  function secrets(): MemorySecrets {
    return new MemorySecrets({ 'test/webhook': { token: WEBHOOK_KEY }, 'test/forge': profile.secret });
  }

  return {
    get fake(): F {
      return fake;
    },
    secrets,
    /** The route `test`, writing to the fake. */
    route(overrides: Partial<RouteInput> = {}): Route {
      return testRoute('', {
        provider: { type: profile.type, secret: 'test/forge', ...profile.provider(fake) },
        ...overrides,
      });
    },
    /** A relay as a fresh container would start it, serving `routes` (by default, `route()`). */
    setup(options: Parameters<typeof testRelay>[1] = {}) {
      const routes = options.routes ?? [this.route()];
      const { relay, records, secrets: used } = testRelay([...routes], { secrets: secrets(), ...options });
      return { handler: createApiGatewayHandler(relay), records, secrets: used as MemorySecrets };
    },
  };
}

function failing(): string {
  const event = eventOf(FIXTURES.reconciled);
  event.severity = 'error';
  event.reason = 'HealthCheckFailed';
  event.message = 'Deployment/apps/podinfo not ready';
  return JSON.stringify(event);
}

/** The cases every forge must pass, on its stateful fake, through the Lambda handler. */
export function sharedBehaviour<F extends SpecCheckedFake>(profile: ForgeProfile<F>, forge: ForgeHarness<F>) {
  it('writes the status Flux would write, in the forge’s words, with the secret’s credentials', async () => {
    // Prepare
    const { handler, records } = forge.setup();

    // Act
    const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ outcome: 'written', sha: SHA, state: 'success' });
    expect(profile.written(forge.fake, SHA)).toMatchObject([
      { state: profile.states.success, name: CONTEXT, description: 'reconciliation succeeded' },
    ]);
    expect(forge.fake.writes[0]?.headers[profile.auth.header]).toBe(profile.auth.value);
    expect(records[0]).toMatchObject({ outcome: 'written', route: 'test', sha: SHA });
    expect(records[0]?.forgeStatus).toBeGreaterThanOrEqual(200);
  });

  it('writes pending, then failure, in the forge’s words', async () => {
    const { handler } = forge.setup();

    await handler(apiEvent({ body: fixture(FIXTURES.progressing) }));
    const pending = profile.written(forge.fake, OTHER_SHA)[0];
    await handler(apiEvent({ body: fixture(FIXTURES.healthCheckFailed) }));
    const failure = profile.written(forge.fake, OTHER_SHA)[0];

    expect(pending).toMatchObject({
      state: profile.states.pending,
      name: CONTEXT,
      description: 'progressing',
    });
    expect(failure).toMatchObject({ state: profile.states.failure, name: CONTEXT });
    expect(failure?.description).toMatch(/^health check failed after 5m0/);
  });

  it('skips a write when the newest status already says the same (another container)', async () => {
    // Prepare: a first relay writes; a second one (a fresh container) sees the same event.
    await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));
    const { handler, records } = forge.setup();

    // Act
    const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    // Assess
    expect(JSON.parse(response.body).outcome).toBe('duplicate');
    expect(forge.fake.writes).toHaveLength(1);
    expect(records[0]?.outcome).toBe('duplicate');
  });

  it('writes again when the state changed', async () => {
    await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    const response = await forge.setup().handler(apiEvent({ body: failing() }));

    expect(JSON.parse(response.body).outcome).toBe('written');
    expect(forge.fake.writes).toHaveLength(2);
    expect(profile.written(forge.fake, SHA)[0]).toMatchObject({
      state: profile.states.failure,
      name: CONTEXT,
      description: 'health check failed: Deployment/apps/podinfo not ready',
    });
  });

  it('waits for a 429’s Retry-After and then writes', async () => {
    forge.fake.script.push({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } });
    const started = Date.now();

    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(profile.written(forge.fake, SHA)).toHaveLength(1);
  });

  it('does not wait for a Retry-After that ends past the deadline: 502 at once', async () => {
    forge.fake.script.push({ status: 429, headers: { 'retry-after': '60' }, body: { message: 'slow down' } });

    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body).reason).toMatch(/429.*asks to wait 60 s/);
    expect(forge.fake.requests).toHaveLength(1);
  });

  it('retries a 500, and reports 502 when the forge keeps failing, so that Flux retries', async () => {
    for (let i = 0; i < 3; i++) forge.fake.script.push({ status: 500, body: { message: 'boom' } });
    const { handler, records } = forge.setup();

    const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body)).toMatchObject({
      error: 'forge-unavailable',
      reason: expect.stringMatching(/answered 500 after 3 attempts/),
    });
    expect(response.headers?.['retry-after']).toBe('2');
    expect(forge.fake.requests).toHaveLength(3);
    expect(records[0]).toMatchObject({ outcome: 'failed', forgeStatus: 500 });
  });

  it('reports a 401 as a final 424 without retrying, after reading the secret again once', async () => {
    for (let i = 0; i < 2; i++) forge.fake.script.push({ status: 401, body: { message: 'Unauthorized' } });
    const { handler, records, secrets } = forge.setup();

    const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(424);
    const reason: string = JSON.parse(response.body).reason;
    expect(reason).toMatch(/token lacks permission to write commit statuses/);
    expect(reason).toContain(`${profile.where} answered 401`);
    expect(forge.fake.requests).toHaveLength(2);
    expect(secrets.freshGets).toBe(1);
    expect(records[0]).toMatchObject({ outcome: 'failed', forgeStatus: 401 });
  });

  it('never puts the token in an answer or a record, even when the forge echoes it', async () => {
    const secret = profile.secret.token ?? profile.secret.password ?? '';
    forge.fake.script.push({ status: 403, body: { message: `forbidden for ${secret}` } });
    const { handler, records } = forge.setup();

    const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(424);
    expect(response.body).not.toContain(secret);
    expect(JSON.stringify(records)).not.toContain(secret);
  });
}

/** The route's forge client, as the delivery builds it, for the range calls. */
async function rangeClient<F extends SpecCheckedFake>(profile: ForgeProfile<F>, forge: ForgeHarness<F>) {
  const client = await createForgeClient(forge.route().provider, credentialsFromSecret(profile.secret));
  if (!canReadRange(client)) throw new Error(`${profile.type} reads no commit ranges`);
  return client;
}

const soon = () => ({ limit: 50, deadline: Date.now() + 10_000 });

/**
 * The commits a deployment carried (README "Commit ranges"), on every forge's stateful fake judged
 * by its description: first-parent, newest first, bounded, and no range where head does not
 * descend from base.
 */
export function rangeBehaviour<F extends SpecCheckedFake>(profile: ForgeProfile<F>, forge: ForgeHarness<F>) {
  it.each([
    ['success', false],
    ['failure', true],
  ] as const)(
    'gives three commits deployed as one three final statuses after a %s: one its own, two carried',
    async (_, failed) => {
      // Prepare: W deployed; three commits pushed together; Flux deploys only the third.
      const { graph } = forge.fake;
      const [deployed] = graph.chain('deployed-before', 1);
      const [c1, c2, head] = graph.chain('pushed-together', 3, deployed) as [string, string, string];
      const { handler, records } = forge.setup();
      await handler(apiEvent({ body: verdictEvent(deployed as string, 'success', '2026-07-14T09:00:00Z') }));

      // Act
      const response = await handler(
        apiEvent({ body: verdictEvent(head, failed ? 'failure' : 'success', '2026-07-14T09:21:37Z') }),
      );

      // Assess
      expect(response.statusCode).toBe(200);
      expect(profile.written(forge.fake, head)).toMatchObject([
        { state: profile.states[failed ? 'failure' : 'success'], name: CONTEXT },
      ]);
      const carried = failed
        ? {
            state: profile.states.error,
            description: `deployed with ${head.slice(0, 7)}, which failed; not verified on its own`,
          }
        : { state: profile.states.success, description: `deployed with ${head.slice(0, 7)}` };
      for (const sha of [c1, c2]) {
        expect(profile.written(forge.fake, sha)).toMatchObject([{ ...carried, name: CONTEXT }]);
      }
      expect(records.at(-1)?.range).toMatchObject({
        base: deployed,
        descends: true,
        commits: 2,
        written: 2,
        queued: 0,
      });
    },
  );

  it('lists the commits after the last deployment, newest first, without the deployed one', async () => {
    // Prepare: W deployed; three commits pushed together, the third deployed.
    const [base] = forge.fake.graph.chain('base', 1);
    const [c1, c2, head] = forge.fake.graph.chain('burst', 3, base);
    const client = await rangeClient(profile, forge);

    // Act
    const range = await client.commitRange(base as string, head as string, soon());

    // Assess
    expect(range).toEqual({ descends: true, commits: [c2, c1], left: 0, more: false });
  });

  it('follows first parents: a merged branch’s own commits are not in the range', async () => {
    const { graph } = forge.fake;
    const [base] = graph.chain('base', 1);
    const [onMain] = graph.chain('main', 1, base);
    const [, feature2] = graph.chain('feature', 2, base);
    const merge = graph.add(shaOf('merge'), [onMain as string, feature2 as string]);
    const [head] = graph.chain('after-merge', 1, merge);
    const client = await rangeClient(profile, forge);

    const range = await client.commitRange(base as string, head as string, soon());

    expect(range).toEqual({ descends: true, commits: [merge, onMain], left: 0, more: false });
  });

  it('finds no range for a rollback (head is an ancestor of base)', async () => {
    const [older, , newer] = forge.fake.graph.chain('line', 3);
    const client = await rangeClient(profile, forge);

    const range = await client.commitRange(newer as string, older as string, soon());

    expect(range).toEqual({ descends: false, commits: [], left: 0, more: false });
  });

  it('finds no range for a force push (head and base diverged)', async () => {
    const { graph } = forge.fake;
    const [root] = graph.chain('root', 1);
    const [deployed] = graph.chain('rewritten', 2, root).slice(-1);
    const [, pushed] = graph.chain('force-pushed', 2, root);
    const client = await rangeClient(profile, forge);

    const range = await client.commitRange(deployed as string, pushed as string, soon());

    expect(range).toEqual({ descends: false, commits: [], left: 0, more: false });
  });

  it('stops at the bound, newest first, and counts what it left', async () => {
    // Prepare: 120 commits after the last deployment; the bound is 50.
    const [base] = forge.fake.graph.chain('base', 1);
    const burst = forge.fake.graph.chain('long', 120, base);
    const client = await rangeClient(profile, forge);

    // Act
    const range = await client.commitRange(base as string, burst.at(-1) as string, soon());

    // Assess: the 50 newest before head; the 69 older are left, counted exactly or as a lower bound.
    expect(range.descends).toBe(true);
    expect(range.commits).toEqual(burst.slice(-51, -1).reverse());
    if (range.more) expect(range.left).toBeGreaterThan(0);
    else expect(range.left).toBe(69);
    expect(range.left).toBeLessThanOrEqual(69);
    expect(forge.fake.requests.length).toBeLessThanOrEqual(3);
  });
}
