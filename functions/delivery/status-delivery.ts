import { randomUUID } from 'node:crypto';
import type { CommitStatus } from '../core/commit-status.js';
import type { Route } from '../core/routes-config.js';
import { MemoryLedger } from '../ledger/memory-ledger.js';
import { ledgerKey, type ShownStatus, type StatusLedger } from '../ledger/status-ledger.js';
import { WRITE_GRACE_MS } from './budget.js';
import type { DeliveryRecord } from './delivery-record.js';
import { type CreateForgeClient, ForgeClients } from './forge-clients.js';
import { KeyedSerializer } from './keyed-serializer.js';
import { deliverInOrder, type OrderedDelivery, type OrderedOutcome } from './ordering.js';
import type { SecretScope } from './secret-scope.js';

export interface StatusDeliveryOptions {
  /** The ledger every container shares; without one, this process's own. */
  ledger?: StatusLedger;
  createClient?: CreateForgeClient;
  now?: () => number;
}

/** What a decided status needs to be written: where, when its event happened, and by when. */
export interface StatusJob {
  route: Route;
  status: CommitStatus;
  eventTime: number;
  deadline: number;
  scope: SecretScope;
  record: DeliveryRecord;
  /** The Flux object the event is about (`Kind/namespace/name`), for the pending index. */
  object?: string;
  /** A resolution's guard (see `OrderedDelivery.replaces`). */
  replaces?: OrderedDelivery['replaces'];
}

export type DeliverStatus = (job: StatusJob) => Promise<OrderedOutcome>;

/** The status identity on the forge: Azure DevOps names it by genre (the summary) as well. */
function identityOf(route: Route, status: CommitStatus): string {
  const { type, apiUrl, address } = route.provider;
  return ledgerKey([type, apiUrl ?? '', address, status.sha, status.context, status.summary ?? '']);
}

/**
 * Writes a decided status in event order (see `ordering.ts`), for the webhook and the retry queue
 * alike. The forge's credentials are read first, so that none of them is quoted in what is written
 * or stored: a Flux message can carry one (a clone URL with a token in it).
 */
export function statusDelivery(options: StatusDeliveryOptions = {}): DeliverStatus {
  const ledger = options.ledger ?? new MemoryLedger();
  const clients = new ForgeClients(options.createClient);
  const serializer = new KeyedSerializer();
  const now = options.now ?? Date.now;

  return async ({ route, status: decided, eventTime, deadline, scope, record, replaces }) => {
    await clients.client(route, scope);
    const status = { ...decided, description: scope.redact(decided.description) };
    const shown: ShownStatus = {
      state: status.state,
      description: status.description,
      targetUrl: status.targetUrl ?? '',
    };
    const key = identityOf(route, status);
    return serializer.run(key, () =>
      deliverInOrder({
        ledger,
        key,
        eventTime,
        status: shown,
        writerId: randomUUID(),
        writeExpiresAt: deadline + WRITE_GRACE_MS,
        now,
        ...(replaces === undefined ? {} : { replaces }),
        write: async (target, forgeShows) => {
          // The target may be a newer claim of another delivery: the same identity, its own text.
          const written: CommitStatus = { ...status, state: target.state, description: target.description };
          if (target.targetUrl === '') delete written.targetUrl;
          else written.targetUrl = target.targetUrl;
          const result = await clients.write(
            route,
            written,
            { deadline, checkForge: forgeShows === undefined },
            scope,
          );
          if (result.forgeStatus !== undefined) record.forgeStatus = result.forgeStatus;
          return result.outcome;
        },
      }),
    );
  };
}
