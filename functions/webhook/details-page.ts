import type { Route } from '../config/route-schema.js';
import { webhookKeyRefs } from '../config/webhook-secret.js';
import type { JsonResponse } from '../core/http-response.js';
import { SecretScope } from '../delivery/secret-scope.js';
import { detailsKeys } from '../details/details-keys.js';
import { detailsId, parseDetailsToken, tokenMatches } from '../details/details-token.js';
import { CONTENT_SECURITY_POLICY } from '../details/page-layout.js';
import { renderDetailsPage, renderNotFoundPage, renderUnavailablePage } from '../details/render-page.js';
import { renderRollupPage } from '../details/render-rollup-page.js';
import type { ReadRollupPage } from '../fleet/rollup-page.js';
import type { DetailsRecord, DetailsStore } from '../ledger/details-store.js';
import type { SecretSource } from '../secrets/secret-source.js';
import type { WebhookRequest } from './webhook-request.js';

export interface DetailsPageOptions {
  /** The Secrets Manager secret of the page key (`detailsPage.secret`). */
  secret: string;
  secrets: SecretSource;
  store: DetailsStore;
  /** The routes: a page is scrubbed of every secret of the routes that write its identity's statuses. */
  routes: readonly Route[];
  /** Reads a roll-up's page (its clusters' verdicts) when it is opened; without it, a roll-up's link is a 404. */
  rollupPage?: ReadRollupPage;
  /** Told of each page that could not be served (the key or the store failed), for a log line and a metric. */
  observe?: (failure: DetailsPageFailure) => void;
  now?: () => number;
}

/** Why a page answered 503: scrubbed, as every text this service says. */
export interface DetailsPageFailure {
  reason: string;
  errorName: string;
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

const notFound = () => page(404, renderNotFoundPage());

/** The secrets of the routes that write statuses on this record's repository with pages. */
function secretsOf(routes: readonly Route[], record: DetailsRecord): string[] {
  return routes
    .filter(
      (route) =>
        route.detailsPage &&
        route.provider.type === record.forge &&
        route.provider.address === record.repository,
    )
    .flatMap((route) => [
      ...webhookKeyRefs(route.auth.secret).map((ref) => ref.secret),
      ...(route.provider.secret ? [route.provider.secret] : []),
    ]);
}

/**
 * `GET /details/<token>`: the page of one status identity, or of one roll-up (its clusters read
 * when it is opened). The token's MAC is checked before anything is read, so a forged token costs
 * no read and cannot tell whether a page exists: whatever is wrong with a link (malformed, cut,
 * altered, signed by a retired key, expired, no page, a roll-up whose environment left the config)
 * is the same plain 404. A fault of a store or the key is a 503, logged and counted (`observe`).
 */
export function createDetailsPage(options: DetailsPageOptions): DetailsPage {
  const now = options.now ?? Date.now;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return page(405, renderNotFoundPage(), { allow: 'GET, HEAD' });
    }
    const token = parseDetailsToken(request.detailsToken ?? '');
    if (token === undefined) return notFound();
    const scope = new SecretScope(options.secrets);
    try {
      const { accepted } = await detailsKeys(options.secret, scope);
      if (!tokenMatches(token, accepted)) return notFound();
      const record = await options.store.read(token.id);
      if (
        record === undefined ||
        record.expiresAt * 1000 <= now() ||
        detailsId(record.identity) !== token.id
      ) {
        return notFound();
      }
      // Stored scrubbed; scrubbed again here of the page key and the routes' secrets, in case one
      // was quoted before it was known (a rotation).
      for (const name of secretsOf(options.routes, record)) await scope.get(name);
      if (record.rollup === undefined) return page(200, scope.redact(renderDetailsPage(record, now())));
      const view = await options.rollupPage?.(record);
      return view === undefined ? notFound() : page(200, scope.redact(renderRollupPage(view, now())));
    } catch (caught) {
      // The store or a key could not be read: nothing of either is said to the reader, all to the log.
      const error = caught instanceof Error ? caught : new Error(String(caught));
      options.observe?.({ reason: scope.redact(error.message), errorName: error.name });
      return page(503, renderUnavailablePage(), { 'retry-after': '5' });
    }
  };
}
