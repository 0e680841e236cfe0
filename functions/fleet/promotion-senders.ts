import { createHmac } from 'node:crypto';
import { ForgeRejectedError, ForgeUnavailableError, RouteMisconfiguredError } from '../core/errors.js';
import { deadlineSignal } from '../forges/deadline.js';
import { canDispatch, type ForgeClient } from '../forges/forge.js';
import { forgeFetch } from '../forges/http/forge-fetch.js';
import type { PromotionPayload, SendPromotion } from './promotion.js';

/** GitHub's `repository_dispatch` on the environment's repository, with the route's credentials. */
export function repositoryDispatchSender(
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
 * A signed POST for any other CI. Only the URL's origin is ever quoted: its path or query may hold a
 * token. A 429 or 5xx, or no answer, passes (the queue retries); another refusal is final.
 */
export function signedWebhookSender(url: string, key: string, deadline: number): SendPromotion {
  const origin = new URL(url).origin;
  return async (payload: PromotionPayload) => {
    const body = JSON.stringify(payload);
    let response: Response;
    try {
      response = await forgeFetch()(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': promotionSignature(body, key) },
        body,
        signal: deadlineSignal(deadline),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause?.code ?? (error as Error).name;
      throw new ForgeUnavailableError(`the promotion webhook at ${origin} did not answer (${String(cause)})`);
    }
    await response.body?.cancel();
    if (response.ok) return;
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
