import { createHash, createHmac } from 'node:crypto';
import { ForgeRejectedError, ForgeUnavailableError, RouteMisconfiguredError } from '../core/errors.js';
import { deadlineSignal } from '../forges/deadline.js';
import { canDispatch, type ForgeClient } from '../forges/forge.js';
import { createPublicHttpsFetch } from '../forges/http/public-fetch.js';
import type { PromotionPayload, SendPromotion } from './promotion.js';

/** GitHub's `repository_dispatch` on the environment's repository, with the route's credentials. */
export function createRepositoryDispatchSender(
  client: ForgeClient,
  eventType: string,
  deadline: number,
): SendPromotion {
  if (!canDispatch(client)) {
    throw new RouteMisconfiguredError('repository_dispatch needs a GitHub route');
  }
  return (payload) => client.dispatch(eventType, { ...payload }, { deadline });
}

/** The HMAC-SHA256 of the exact body, keyed with the secret's token, as Flux's generic-hmac signs. */
export function promotionSignature(body: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/**
 * The signal's id: the same for every send of one promotion (environment, object, commit), so a
 * receiver that remembers ids acts once, whatever the retries and redeliveries.
 */
export function promotionId(payload: PromotionPayload): string {
  const { kind, namespace, name } = payload.object;
  const identity = [payload.environment, kind, namespace, name, payload.sha].join('\n');
  return `msg_${createHash('sha256').update(identity).digest('base64url').slice(0, 32)}`;
}

/**
 * The Standard Webhooks headers (standardwebhooks.com): `webhook-signature` is `v1,` and the
 * base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`, keyed with the secret's token (its UTF-8 bytes).
 * The id and the time are under the signature, so a captured signal is refused once it is old or
 * its id was seen; `X-Signature` (the body alone, as Flux signs) stays for receivers that check it.
 */
export function promotionHeaders(body: string, key: string, id: string, now: number): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  const signed = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signed}`,
    'x-signature': promotionSignature(body, key),
  };
}

/** The error under a fetch failure that is a refusal of the destination, not a network fault. */
function refusalIn(error: unknown): RouteMisconfiguredError | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof RouteMisconfiguredError) return cause;
  }
  return undefined;
}

/**
 * A signed POST for any other CI, over https to a public address (`createPublicHttpsFetch`). Only the URL's
 * origin is ever quoted: its path or query may hold a token. A redirect is refused: followed, a 302
 * would turn the POST into a GET whose 200 says "sent", and a 307 would post the signed body to
 * another origin. A 429 or 5xx, or no answer, passes (the queue retries); another refusal is final.
 */
export function createSignedWebhookSender(
  url: string,
  key: string,
  deadline: number,
  fetchFn: typeof fetch = createPublicHttpsFetch(),
): SendPromotion {
  const origin = new URL(url).origin;
  return async (payload: PromotionPayload) => {
    const body = JSON.stringify(payload);
    let response: Response;
    try {
      response = await fetchFn(url, {
        method: 'POST',
        headers: promotionHeaders(body, key, promotionId(payload), Date.now()),
        body,
        redirect: 'manual',
        signal: deadlineSignal(deadline),
      });
    } catch (error) {
      const refused = refusalIn(error);
      if (refused !== undefined) throw refused;
      const cause = (error as { cause?: { code?: unknown } }).cause?.code ?? (error as Error).name;
      throw new ForgeUnavailableError(`the promotion webhook at ${origin} did not answer (${String(cause)})`);
    }
    await response.body?.cancel();
    if (response.ok) return;
    if (response.status >= 300 && response.status < 400) {
      throw new ForgeRejectedError(
        `the promotion webhook at ${origin} answered ${response.status}, a redirect; redirects are not followed, so set url to the receiver itself`,
        response.status,
      );
    }
    if (response.status === 429 || response.status >= 500) {
      throw new ForgeUnavailableError(
        `the promotion webhook at ${origin} answered ${response.status}`,
        response.status,
      );
    }
    throw new ForgeRejectedError(
      `the promotion webhook at ${origin} refused the signal with ${response.status}`,
      response.status,
    );
  };
}
