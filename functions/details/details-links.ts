import type { Route } from '../config/route-schema.js';
import type { CommitStatus } from '../core/commit-status.js';
import { type FluxEvent, normaliseMetadata } from '../core/flux-event.js';
import { truncate } from '../core/text.js';
import type { SecretScope } from '../delivery/secret-scope.js';
import { identityOf } from '../delivery/status-delivery.js';
import {
  appendDetails,
  type CarriedCommits,
  type DetailsEntry,
  type DetailsStore,
  rememberCarried,
  rememberRollupPage,
} from '../ledger/details-store.js';
import { LEDGER_TTL_SECONDS } from '../ledger/dynamodb-store.js';
import { eventOrder } from '../ledger/status-ledger.js';
import { detailsKeys } from './details-keys.js';
import { detailsId, detailsToken } from './details-token.js';

/** The path of a page below the service's public base URL; the API's GET route has the same shape. */
export const DETAILS_PATH = '/details/';

export interface DetailsLinksOptions {
  /** The Secrets Manager secret of the page key (`detailsPage.secret`). */
  secret: string;
  /** The service's public origin (the API's URL or its custom domain), without a trailing slash. */
  baseUrl: () => string;
  store: DetailsStore;
  now: () => number;
}

/** What the relay knows of a decided status when it records it for the page. */
export interface DetailsFacts {
  route: Route;
  status: CommitStatus;
  event: FluxEvent;
  eventTime: number;
  scope: SecretScope;
}

/**
 * The webhook's side of the details pages: the link a route's statuses point to, and the record of
 * each event the page shows. Every text is scrubbed with every secret the route names, the forge's
 * included, before it is stored: a Flux message can quote a clone URL with a token in it.
 */
export class DetailsLinks {
  constructor(private readonly options: DetailsLinksOptions) {}

  /** Points the status at its page, unless the route's own `targetUrl` template says where. */
  async attach(route: Route, status: CommitStatus, scope: SecretScope): Promise<void> {
    // A `targetUrl` template or a preview environment's link (status-rules) is the link already.
    if (!route.detailsPage || status.targetUrl !== undefined) return;
    const { current } = await detailsKeys(this.options.secret, scope);
    status.targetUrl = `${this.options.baseUrl()}${DETAILS_PATH}${detailsToken(current, identityOf(route, status))}`;
  }

  /**
   * The link of a roll-up's page, its record made (or kept from expiring) first, so that the link
   * opens as soon as the forge shows it. The record only says where the clusters' verdicts are:
   * the page reads them when it is opened, so a cluster's report writes nothing here.
   */
  async rollupLink(page: RollupPageFacts, scope: SecretScope): Promise<string> {
    const { current } = await detailsKeys(this.options.secret, scope);
    const { identity, route, sha, context, rollup, environment } = page;
    const subject = scope.redactFields({
      identity,
      forge: route.provider.type,
      repository: route.provider.address,
      sha,
      context,
    });
    const expiresAt = Math.floor(this.options.now() / 1000) + LEDGER_TTL_SECONDS;
    await rememberRollupPage(
      this.options.store,
      detailsId(identity),
      { ...subject, rollup: { key: rollup, environment } },
      expiresAt,
    );
    return `${this.options.baseUrl()}${DETAILS_PATH}${detailsToken(current, identity)}`;
  }

  async remember({
    route,
    status,
    event,
    eventTime,
    scope,
  }: DetailsFacts): Promise<'added' | 'repeat' | undefined> {
    if (!route.detailsPage) return undefined;
    const metadata = normaliseMetadata(event.metadata);
    const { kind, namespace, name } = event.involvedObject;
    return this.#append(route, status, eventTime, scope, {
      reason: event.reason,
      message: event.message,
      revision: truncate(metadata.commit ?? metadata.originRevision ?? metadata.revision ?? '', 1024),
      object: namespace === undefined ? `${kind}/${name}` : `${kind}/${namespace}/${name}`,
      eventTime: event.timestamp,
    });
  }

  /**
   * A status this service wrote for a pending commit (functions/pending/): the page shows it as the
   * forge does, at the order it was written with, so its verdict and the forge's agree.
   */
  async rememberResolution({
    route,
    status,
    object,
    eventTime,
    scope,
    kind,
  }: ResolutionFacts): Promise<void> {
    if (!route.detailsPage) return;
    await this.#append(route, status, eventTime, scope, {
      reason: kind === 'superseded' ? 'Superseded' : 'NoVerdict',
      message: status.description,
      revision: status.sha,
      object,
      eventTime: new Date(eventTime).toISOString(),
    });
  }

  /** The commits the deployment of `status`'s commit carried: its page lists them. */
  async rememberCarried(route: Route, status: CommitStatus, carried: CarriedCommits): Promise<void> {
    if (!route.detailsPage) return;
    await rememberCarried(this.options.store, detailsId(identityOf(route, status)), carried);
  }

  /** The commits a roll-up's deployment carried: the page of the roll-up `identity` lists them. */
  async rememberRollupCarried(identity: string, carried: CarriedCommits): Promise<void> {
    await rememberCarried(this.options.store, detailsId(identity), carried);
  }

  async #append(
    route: Route,
    status: CommitStatus,
    eventTime: number,
    scope: SecretScope,
    entry: Pick<DetailsEntry, 'reason' | 'message' | 'revision' | 'object' | 'eventTime'>,
  ): Promise<'added' | 'repeat'> {
    if (route.provider.secret !== undefined) await scope.get(route.provider.secret);
    const identity = identityOf(route, status);
    const now = this.options.now();
    const order = eventOrder(eventTime, {
      state: status.state,
      description: scope.redact(status.description),
      targetUrl: status.targetUrl ?? '',
    });
    return appendDetails(
      this.options.store,
      detailsId(identity),
      scope.redactFields({
        identity,
        forge: route.provider.type,
        repository: route.provider.address,
        sha: status.sha,
        context: status.context,
      }),
      scope.redactFields({
        ...entry,
        order,
        state: status.state,
        cluster: route.cluster ?? route.id,
        receivedAt: new Date(now).toISOString(),
      }),
      Math.floor(now / 1000) + LEDGER_TTL_SECONDS,
    );
  }
}

/** What a pending commit's resolution tells its page. */
export interface ResolutionFacts {
  route: Route;
  status: CommitStatus;
  /** `Kind/namespace/name`. */
  object: string;
  eventTime: number;
  scope: SecretScope;
  kind: 'superseded' | 'timeout';
}

/** Where a roll-up's page is: its status identity (the link's), its commit, and its clusters' partition. */
export interface RollupPageFacts {
  /** The roll-up's own status identity in the ledger: the token is made over it. */
  identity: string;
  /** The route the roll-up is written with: its forge and repository. */
  route: Route;
  sha: string;
  context: string;
  /** The fleet table's partition of the roll-up's clusters. */
  rollup: string;
  environment: string;
}
