import type { Route } from '../config/route-schema.js';
import { commentMarker, renderRollupComment } from '../core/change-request-comment.js';
import type { CommitStatus } from '../core/commit-status.js';
import { type FluxObject, objectName } from '../core/flux-object.js';
import type { Preview } from '../core/preview.js';
import type { CommentJob } from '../delivery/comment-delivery.js';
import type { OrderedOutcome } from '../delivery/ordering.js';
import type { SecretScope } from '../delivery/secret-scope.js';
import { rollupCommentOrder } from '../ledger/status-ledger.js';
import type { RollupTarget } from './rollup-place.js';

export interface RollupCommentJob {
  route: Route;
  target: RollupTarget;
  object: FluxObject;
  /** The roll-up as written: its commit, verdict, description and link. */
  status: CommitStatus;
  /** The roll-up's sequence (`rollupSequence`): orders one commit's recomputes. */
  sequence: number;
  /** The newest cluster verdict's event time: orders the change request's commits (`rollupCommentOrder`). */
  eventTime: number;
  preview: Preview | undefined;
  deadline: number;
  scope: SecretScope;
}

/**
 * The environment's comment on the change request, when it asks for them and the reports name one:
 * one per (change request, object, environment), found by its hidden key (the environment's Provider
 * uid when it names the one it replaces, else `environment/<name>`, which no route id can be) and
 * edited in the order of `rollupCommentOrder`. Its key differs from every cluster's comment, so its
 * orders and a cluster's never meet in one comparison.
 */
export async function deliverRollupComment(
  deliver: (job: CommentJob) => Promise<OrderedOutcome>,
  job: RollupCommentJob,
): Promise<OrderedOutcome | undefined> {
  const { target, preview, object } = job;
  const changeRequest = preview?.changeRequest;
  if (target.environment.changeRequestComments !== true || changeRequest === undefined) return undefined;
  const key = target.environment.provider?.metadata?.uid ?? `environment/${target.name}`;
  const marker = commentMarker(key, object);
  const body = renderRollupComment(marker, objectName(object), job.status, target.name, preview?.url);
  return deliver({
    route: job.route,
    comment: { changeRequest, marker, body },
    state: job.status.state,
    eventTime: job.eventTime,
    order: rollupCommentOrder(job.eventTime, job.sequence, {
      state: job.status.state,
      description: job.scope.redact(body),
      targetUrl: '',
    }),
    deadline: job.deadline,
    scope: job.scope,
  });
}
