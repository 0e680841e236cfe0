import { randomUUID } from 'node:crypto';
import type { Route } from '../config/route-schema.js';
import type { ChangeRequestComment } from '../core/change-request-comment.js';
import type { CommitStatus } from '../core/commit-status.js';
import { RouteMisconfiguredError } from '../core/errors.js';
import { canComment } from '../forges/forge.js';
import { ledgerKey, type StatusLedger } from '../ledger/status-ledger.js';
import { WRITE_GRACE_MS } from './budget.js';
import type { ForgeClients } from './forge-clients.js';
import type { KeyedSerializer } from './keyed-serializer.js';
import { deliverInOrder, type OrderedOutcome } from './ordering.js';
import type { SecretScope } from './secret-scope.js';

export interface CommentJob {
  route: Route;
  comment: ChangeRequestComment;
  /** The verdict the comment shows: it orders the comment's edits as it orders the status. */
  state: CommitStatus['state'];
  eventTime: number;
  /** The edit's order when it is not the event's own (a roll-up's: `rollupCommentOrder`). */
  order?: string;
  deadline: number;
  scope: SecretScope;
}

/** The comment's identity: one per repository, change request and hidden key (provider, object). */
export function commentKey(route: Route, comment: ChangeRequestComment): string {
  const { type, apiUrl, address } = route.provider;
  return ledgerKey(['comment', type, apiUrl ?? '', address, String(comment.changeRequest), comment.marker]);
}

/**
 * A change request's comment, edited in event order through the ordering protocol, as a status is:
 * the whole body is the ledger's shown text, so the newest event's comment is the last to land,
 * whatever order the events and the containers run in, and an older one never replaces it.
 */
export function createCommentDelivery(options: {
  ledger: StatusLedger;
  clients: ForgeClients;
  serializer: KeyedSerializer;
  now: () => number;
}) {
  const { ledger, clients, serializer, now } = options;
  return (job: CommentJob): Promise<OrderedOutcome> => {
    const { route, comment, eventTime, deadline, scope } = job;
    const key = commentKey(route, comment);
    return serializer.run(key, () =>
      deliverInOrder({
        ledger,
        key,
        eventTime,
        ...(job.order === undefined ? {} : { order: job.order }),
        status: { state: job.state, description: scope.redact(comment.body), targetUrl: '' },
        writerId: randomUUID(),
        writeExpiresAt: deadline + WRITE_GRACE_MS,
        now,
        write: async (target) => {
          const client = await clients.client(route, scope);
          if (!canComment(client)) {
            throw new RouteMisconfiguredError(
              `${route.provider.type} routes cannot write change request comments`,
            );
          }
          const body = target.description;
          const outcome = await client.upsertComment({ ...comment, body }, { deadline });
          return outcome === 'unchanged' ? 'duplicate' : 'written';
        },
      }),
    );
  };
}
