import type { DetailsPageSettings } from '../config/environment-config.js';
import type { Route } from '../config/route-schema.js';
import { ConfigError } from '../core/errors.js';
import { DetailsLinks } from '../details/details-links.js';
import type { DetailsStore } from '../ledger/details-store.js';
import type { SecretSource } from '../secrets/secret-source.js';
import { createDetailsPage, type DetailsPage, type DetailsPageOptions } from './details-page.js';

export interface DetailsServiceOptions {
  secrets: SecretSource;
  store: DetailsStore;
  /**
   * The origin the links point to when the config names none: the stack's `DETAILS_BASE_URL`, or
   * the local server's own address. Asked at each link, since a local server knows its port late.
   */
  baseUrl: () => string | undefined;
  /** The routes whose secrets a page is scrubbed of. */
  routes: readonly Route[];
  observe?: DetailsPageOptions['observe'];
  /** The roll-ups' pages, where the config has fleet environments. */
  rollupPage?: DetailsPageOptions['rollupPage'];
  now?: () => number;
}

/** The two halves of the details pages, over one store and one key: the links the relay writes, and the GET page. */
export function detailsService(
  settings: DetailsPageSettings,
  options: DetailsServiceOptions,
): { links: DetailsLinks; page: DetailsPage } {
  const now = options.now ?? Date.now;
  const baseUrl = () => {
    const url = settings.baseUrl ?? options.baseUrl();
    if (url === undefined || url === '') {
      throw new ConfigError('detailsPage: no public base URL; set detailsPage.baseUrl or DETAILS_BASE_URL');
    }
    return url.replace(/\/+$/, '');
  };
  return {
    links: new DetailsLinks({ secret: settings.secret, baseUrl, store: options.store, now }),
    page: createDetailsPage({
      secret: settings.secret,
      secrets: options.secrets,
      store: options.store,
      routes: options.routes,
      ...(options.observe === undefined ? {} : { observe: options.observe }),
      ...(options.rollupPage === undefined ? {} : { rollupPage: options.rollupPage }),
      now,
    }),
  };
}
