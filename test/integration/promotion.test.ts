import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimInFlightError, ForgeUnavailableError } from '../../functions/core/errors.js';
import { type PromotionPayload, promoteOnce } from '../../functions/fleet/promotion.js';
import { MemoryRollupLedger } from '../../functions/ledger/memory-rollup-ledger.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { LoopbackServer, type ScriptedResponse } from '../fakes/loopback-server.js';
import { eventOf, FIXTURES, MemorySecrets, testRoute, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const PROMOTION_KEY = 'promotion-hmac-key-never-logged';
const PAYLOAD: PromotionPayload = {
  environment: 'production',
  object: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
  sha: 'c'.repeat(40),
  ref: 'main',
  clusters: ['a', 'b'],
};
async function greenRecord(key = 'k') {
  const rollups = new MemoryRollupLedger();
  await rollups.swap(key, undefined, { createdAt: 1, version: 1 });
  return rollups;
}
const stillGreen = async () => true;

describe('the promotion signal, claimed once', () => {
  it('sends once, and a later delivery finds it sent', async () => {
    const rollups = await greenRecord();
    const sent: PromotionPayload[] = [];
    const claim = (claimId: string) =>
      promoteOnce({
        rollups,
        key: 'k',
        stillGreen,
        payload: PAYLOAD,
        claimId,
        leaseUntil: Date.now() + 10_000,
        now: Date.now,
        send: async (payload) => void sent.push(payload),
      });

    const outcomes = [await claim('first'), await claim('second')];

    expect(outcomes).toEqual(['sent', 'already-sent']);
    expect(sent).toEqual([PAYLOAD]);
    expect((await rollups.read('k'))?.promotion?.state).toBe('sent');
  });

  it('leaves a live claim alone with a passing fault, and takes over one whose lease ended', async () => {
    const rollups = await greenRecord();
    const record = await rollups.read('k');
    await rollups.swap('k', 1, {
      ...(record as NonNullable<typeof record>),
      promotion: { state: 'claimed', claimId: 'dead', until: 5_000 },
      version: 2,
    });
    const sent: PromotionPayload[] = [];
    const attempt = (now: number) =>
      promoteOnce({
        rollups,
        key: 'k',
        stillGreen,
        payload: PAYLOAD,
        claimId: `at-${now}`,
        leaseUntil: now + 10_000,
        now: () => now,
        send: async (payload) => void sent.push(payload),
      });

    await expect(attempt(4_000)).rejects.toBeInstanceOf(ClaimInFlightError);
    expect(sent).toEqual([]);
    expect(await attempt(6_000)).toBe('sent');
    expect(sent).toHaveLength(1);
  });

  it('releases its claim when the send fails, so the retry sends without waiting out the lease', async () => {
    const rollups = await greenRecord();
    const send = async () => {
      throw new ForgeUnavailableError('GitHub answered 502');
    };
    const base = {
      rollups,
      key: 'k',
      stillGreen,
      payload: PAYLOAD,
      leaseUntil: Date.now() + 60_000,
      now: Date.now,
    };

    await expect(promoteOnce({ ...base, claimId: 'one', send })).rejects.toBeInstanceOf(
      ForgeUnavailableError,
    );
    const outcome = await promoteOnce({ ...base, claimId: 'two', send: async () => undefined });

    expect(outcome).toBe('sent');
  });

  it('sends nothing for a roll-up that is no longer green', async () => {
    const rollups = await greenRecord();
    const outcome = await promoteOnce({
      rollups,
      key: 'k',
      // A cluster failed after the recompute read it green.
      stillGreen: async () => false,
      payload: PAYLOAD,
      claimId: 'x',
      leaseUntil: Date.now() + 1000,
      now: Date.now,
      send: async () => {
        throw new Error('must not send');
      },
    });

    expect(outcome).toBe('not-success');
  });
});

describe('the signed promotion webhook, through the relay', () => {
  let receiver: LoopbackServer;
  let github: FakeGitHub;
  const answers: ScriptedResponse[] = [];

  beforeAll(async () => {
    receiver = await new LoopbackServer(() => answers.shift() ?? { status: 202 }).start();
    github = await new FakeGitHub().start();
  });
  afterAll(async () => {
    await receiver.stop();
    await github.stop();
  });

  it('signs the body with the key, is retried after a 503, and is sent once', async () => {
    // Prepare: a one-cluster environment promoting through a generic CI webhook that fails once.
    const route = testRoute(github.url, { id: 'stage-1', cluster: 'stage-1', environment: 'staging' });
    const secrets = new MemorySecrets({
      'test/webhook': { token: WEBHOOK_KEY },
      'test/forge': { token: 'ghp_forgeToken' },
      'ci/key': { token: PROMOTION_KEY },
    });
    const { relay, settle, records } = testRelay([route], {
      secrets,
      environments: {
        staging: {
          context: 'flux/{{environment}}/{{kind}}/{{name}}',
          counts: true,
          promotion: { type: 'webhook', url: `${receiver.url}/promote?token=in-the-url`, secret: 'ci/key' },
        },
      },
    });
    const event = eventOf(FIXTURES.reconciled);
    event.timestamp = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000).toISOString();
    answers.push({ status: 503 });

    // Act: the verdict, its roll-up's recompute (retried after the 503), then Flux sending it again.
    const send = async () =>
      JSON.parse(
        (await apiGatewayHandler(relay)(apiEvent({ route: 'stage-1', body: JSON.stringify(event) }))).body,
      );
    const first = await send();
    await settle();
    await send();
    await settle();

    // Assess: the webhook answered once the verdict was stored; the roll-up's consumer met the 503.
    expect(first).toMatchObject({ outcome: 'written' });
    const failed = records.filter((record) => record.rollup !== undefined && record.outcome === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.reason).toMatch(/promotion webhook at http:\/\/127\.0\.0\.1:\d+ answered 503/);
    expect(JSON.stringify(records)).not.toContain('in-the-url');
    const taken = receiver.requests.filter((request) => request.method === 'POST');
    expect(taken).toHaveLength(2);
    const body = taken[1]?.body ?? '';
    expect(taken[1]?.headers['x-signature']).toBe(
      `sha256=${createHmac('sha256', PROMOTION_KEY).update(body).digest('hex')}`,
    );
    expect(JSON.parse(body)).toEqual({
      environment: 'staging',
      object: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
      sha: 'df277975d2783b0e7fd4d0487d990bd60442923c',
      ref: 'main',
      clusters: ['stage-1'],
    });
    expect(records.at(-1)?.rollup).toMatchObject({ state: 'success', promotion: 'already-sent' });
    expect(JSON.stringify(records)).not.toContain(PROMOTION_KEY);
  });
});
