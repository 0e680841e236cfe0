import type { JsonResponse } from '../core/http-response.js';
import { SecretScope } from '../delivery/secret-scope.js';
import { detailsKeys } from '../details/details-keys.js';
import { parseDetailsToken, tokenMatches } from '../details/details-token.js';
import {
  CONTENT_SECURITY_POLICY,
  renderDetailsPage,
  renderNotFoundPage,
  renderUnavailablePage,
} from '../details/render-page.js';
import type { DetailsStore } from '../ledger/details-store.js';
import type { SecretSource } from '../secrets/secret-source.js';
import type { WebhookRequest } from './webhook-request.js';

export interface DetailsPageOptions {
  /** The Secrets Manager secret of the page key (`detailsPage.secret`). */
  secret: string;
  secrets: SecretSource;
  store: DetailsStore;
  now?: () => number;
}

export type DetailsPage = (request: WebhookRequest) => Promise<JsonResponse>;

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // A page may change with the next event, and a shared cache has no business holding it.
  'cache-control': 'no-store',
};

function page(statusCode: number, body: string, extra: Record<string, string> = {}): JsonResponse {
  return { statusCode, headers: { ...PAGE_HEADERS, ...extra }, body };
}

/**
 * `GET /details/<token>`: the page of one status identity, the webhook's sibling on the same function.
 * Whatever is wrong with a link (malformed, cut, altered, signed by a retired key, expired) is the
 * same plain 404, so a stranger learns nothing by trying; a fault of the store or the key is a 503.
 */
export function createDetailsPage(options: DetailsPageOptions): DetailsPage {
  const now = options.now ?? Date.now;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return page(405, renderNotFoundPage(), { allow: 'GET, HEAD' });
    }
    const token = parseDetailsToken(request.detailsToken ?? '');
    if (token === undefined) return page(404, renderNotFoundPage());
    const scope = new SecretScope(options.secrets);
    try {
      const record = await options.store.read(token.id);
      if (record === undefined || record.expiresAt * 1000 <= now()) return page(404, renderNotFoundPage());
      const { accepted } = await detailsKeys(options.secret, scope);
      if (!tokenMatches(token, record.identity, accepted)) return page(404, renderNotFoundPage());
      // Stored scrubbed; scrubbed again here, in case a key it now knows was quoted before.
      return page(200, scope.redact(renderDetailsPage(record, now())));
    } catch {
      // The store or the key could not be read: nothing of either is said to the reader.
      return page(503, renderUnavailablePage(), { 'retry-after': '5' });
    }
  };
}
