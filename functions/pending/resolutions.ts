import type { Route } from '../config/route-schema.js';
import type { CommitStatus } from '../core/commit-status.js';
import { formatDuration } from '../core/duration.js';
import { commitPageUrl } from '../forges/registry.js';
import type { OwedStatus, PendingEntry, PendingObject } from '../ledger/pending-index.js';
import type { ShownStatus } from '../ledger/status-ledger.js';

/**
 * What an older pending commit is owed when a newer commit of the same object gets its verdict. A
 * success deploys the older commit's changes with it. After a failure nothing says whether the older
 * commit alone would have deployed, so it ends in `error` (no verdict of its own), never in a green
 * it did not earn nor in a failure that may be the newer commit's.
 */
export function supersededBy(
  route: Route,
  verdict: Pick<CommitStatus, 'sha' | 'state'>,
  eventTime: number,
): OwedStatus {
  const sha7 = verdict.sha.slice(0, 7);
  // The newer commit's page on the route's forge: where a superseded commit's status points.
  const targetUrl = commitPageUrl(route.provider, verdict.sha);
  return verdict.state === 'success'
    ? { state: 'success', description: `superseded by ${sha7}, deployed with it`, targetUrl, eventTime }
    : {
        state: 'error',
        description: `superseded by ${sha7}, which failed; not verified on its own`,
        targetUrl,
        eventTime,
      };
}

/** The controller whose log tells why an object of this kind sent no verdict. */
function controllerOf(object: string): string {
  const kind = object.split('/')[0] ?? '';
  if (kind === 'Kustomization') return 'kustomize-controller';
  if (kind === 'HelmRelease') return 'helm-controller';
  if (['GitRepository', 'OCIRepository', 'Bucket', 'HelmRepository', 'HelmChart'].includes(kind)) {
    return 'source-controller';
  }
  if (kind === 'ImageUpdateAutomation') return 'image-automation-controller';
  return 'Flux controllers';
}

/** How long a Kustomization may go without a success event before the gate is named. */
const SUCCESS_SILENCE_MS = 24 * 3600_000;

/**
 * How long a Kustomization has gone without a success event, when that is a day or more; undefined
 * otherwise. kustomize-controller's DisableCommitStatusEvent feature gate (Flux 2.9, backported to
 * 1.9.x) stops the success events for good while Progressing and errors still come, so every
 * pending of such a cluster times out: a day of that names the gate rather than the commit.
 */
export function successSilence(
  object: string,
  marks: Pick<PendingObject, 'firstSeenAt' | 'lastSuccessAt'>,
  now: number,
): number | undefined {
  if (!object.startsWith('Kustomization/')) return undefined;
  const since = marks.lastSuccessAt ?? marks.firstSeenAt;
  if (since === undefined || now - since < SUCCESS_SILENCE_MS) return undefined;
  return now - since;
}

/**
 * The sweep's `error` for a pending that no verdict followed. It takes the pending's own time, so it
 * ranks just above that pending and below any verdict of the same second or later (`eventOrder`).
 * `silence` (successSilence) names the likely cause instead of the commit.
 */
export function timedOut(route: Route, object: string, entry: PendingEntry, silence?: number): OwedStatus {
  const within = formatDuration(entry.timeoutMs ?? 0);
  const cluster = route.cluster ?? route.id;
  return {
    state: 'error',
    description:
      silence === undefined
        ? `no verdict from ${cluster} within ${within}; see the cluster's ${controllerOf(object)}`
        : `no success event from ${cluster} in ${Math.floor(silence / 3600_000)} h: is kustomize-controller's DisableCommitStatusEvent gate on?`,
    targetUrl: entry.targetUrl ?? '',
    eventTime: entry.since,
  };
}

/** A resolution writes only over a status that is still unresolved: pending, or an earlier `error`. */
export function unresolved(claim: { status: ShownStatus }): boolean {
  return claim.status.state === 'pending' || claim.status.state === 'error';
}

/** The status a resolution writes, on the pending commit's own identity. */
export function owedCommitStatus(entry: PendingEntry, owed: OwedStatus): CommitStatus {
  const status: CommitStatus = {
    sha: entry.sha,
    state: owed.state,
    context: entry.context,
    description: owed.description,
  };
  if (entry.ref !== undefined) status.ref = entry.ref;
  if (owed.targetUrl !== '') status.targetUrl = owed.targetUrl;
  if (entry.summary !== undefined) status.summary = entry.summary;
  return status;
}
