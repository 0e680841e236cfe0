import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClaimInFlightError,
  ForgeRejectedError,
  ForgeUnavailableError,
  RouteMisconfiguredError,
} from '../../functions/core/errors.js';
import { type PromotionPayload, promoteOnce } from '../../functions/fleet/promotion.js';
import { createSignedWebhookSender, promotionId } from '../../functions/fleet/promotion-senders.js';
import { MemoryRollupLedger } from '../../functions/ledger/memory-rollup-ledger.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
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
      // The receiver is on loopback, which the deployed fetch refuses (see below).
      promotionFetch: fetch,
    });
    const event = eventOf(FIXTURES.reconciled);
    event.timestamp = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000).toISOString();
    answers.push({ status: 503 });

    // Act: the verdict, its roll-up's recompute (retried after the 503), then Flux sending it again.
    const send = async () =>
      JSON.parse(
        (await createApiGatewayHandler(relay)(apiEvent({ route: 'stage-1', body: JSON.stringify(event) })))
          .body,
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

/** A receiver's check, as the README shows it: signature, age, and ids not seen before. */
function receiverCheck(key: string, now: () => number) {
  const seen = new Set<string>();
  return (headers: Record<string, string | undefined>, body: string): 'accepted' | string => {
    const id = headers['webhook-id'] ?? '';
    const timestamp = headers['webhook-timestamp'] ?? '';
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    const given = (headers['webhook-signature'] ?? '').split(' ').map((part) => part.replace(/^v1,/, ''));
    if (!given.includes(expected)) return 'bad signature';
    if (Math.abs(now() / 1000 - Number(timestamp)) > 300) return 'too old';
    if (seen.has(id)) return 'already seen';
    seen.add(id);
    return 'accepted';
  };
}

describe('the signed promotion webhook, sent', () => {
  let receiver: LoopbackServer;
  let elsewhere: LoopbackServer;
  const answers: ScriptedResponse[] = [];

  beforeAll(async () => {
    receiver = await new LoopbackServer(() => answers.shift() ?? { status: 202 }).start();
    elsewhere = await new LoopbackServer(() => ({ status: 200 })).start();
  });
  afterAll(async () => {
    await receiver.stop();
    await elsewhere.stop();
  });
  const deadline = () => Date.now() + 5_000;

  it.each([
    [302, 'a GET whose 200 would say "sent"'],
    [307, 'the signed body posted to another origin'],
  ])('refuses a %i redirect, which would be %s', async (status) => {
    answers.push({ status, headers: { location: `${elsewhere.url}/promote` } });
    const send = createSignedWebhookSender(`${receiver.url}/promote`, PROMOTION_KEY, deadline(), fetch);

    const error = await send(PAYLOAD).catch((caught: Error) => caught);

    expect(error).toBeInstanceOf(ForgeRejectedError);
    expect((error as Error).message).toMatch(/answered \d{3}, a redirect; redirects are not followed/);
    expect(elsewhere.requests).toEqual([]);
  });

  it.each([
    ['http', (port: string) => `http://ci.example.com:${port}/promote`],
    ['a loopback address', (port: string) => `https://127.0.0.1:${port}/promote`],
    ['IPv4 written as IPv6', (port: string) => `https://[::ffff:127.0.0.1]:${port}/promote`],
    ['the metadata service', () => 'https://169.254.169.254/latest/meta-data'],
    ['a name that resolves to loopback', (port: string) => `https://localhost:${port}/promote`],
  ])('refuses %s before any request, as a final refusal', async (_, url) => {
    const before = receiver.requests.length;
    const send = createSignedWebhookSender(url(new URL(receiver.url).port), PROMOTION_KEY, deadline());

    const error = await send(PAYLOAD).catch((caught: Error) => caught);

    expect(error).toBeInstanceOf(RouteMisconfiguredError);
    expect((error as Error).message).toMatch(/must use https|not a public address/);
    expect(receiver.requests.length).toBe(before);
  });

  it('signs an id and a time with the body, so a receiver refuses a replay and a stale signal', async () => {
    const send = createSignedWebhookSender(`${receiver.url}/promote`, PROMOTION_KEY, deadline(), fetch);
    await send(PAYLOAD);
    await send(PAYLOAD);
    const [first, second] = receiver.requests.filter((request) => request.method === 'POST').slice(-2);
    let clock = Date.now();
    const check = receiverCheck(PROMOTION_KEY, () => clock);

    // The first is taken; the retry carries the same id, so the receiver acts once.
    expect(first?.headers['webhook-id']).toBe(promotionId(PAYLOAD));
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(check(first?.headers ?? {}, first?.body ?? '')).toBe('accepted');
    expect(check(second?.headers ?? {}, second?.body ?? '')).toBe('already seen');
    // Captured and replayed later, or with its time changed, it is refused.
    clock += 10 * 60_000;
    expect(receiverCheck(PROMOTION_KEY, () => clock)(first?.headers ?? {}, first?.body ?? '')).toBe(
      'too old',
    );
    const forged = { ...first?.headers, 'webhook-timestamp': String(Math.floor(clock / 1000)) };
    expect(check(forged, first?.body ?? '')).toBe('bad signature');
    // Flux-style receivers still find X-Signature over the body.
    expect(first?.headers['x-signature']).toBe(
      `sha256=${createHmac('sha256', PROMOTION_KEY)
        .update(first?.body ?? '')
        .digest('hex')}`,
    );
  });
});
