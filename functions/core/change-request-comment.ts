import * as z from 'zod/mini';
import type { CommitStatus } from './commit-status.js';
import type { FluxEvent } from './flux-event.js';
import { previewUrlOf } from './status-rules.js';
import { truncate } from './text.js';

/** The metadata key of Flux 2.8's comment providers: `event.toolkit.fluxcd.io/change_request`. */
export const CHANGE_REQUEST_KEY = 'change_request';

/** The hidden key's prefix, as Flux's providers write it, so that a comment Flux made is found again. */
const KEY_PREFIX = 'flux-pr-comment-key';

/** A message longer than this is cut: GitHub refuses a comment over 65,536 characters. */
const MESSAGE_LIMIT = 16_384;

/** Below GitHub's 65,536 characters, the smallest limit of the three forges. */
const BODY_LIMIT = 65_000;

/** One change request's comment for one object: where it goes, how it is found, what it says. */
export const ChangeRequestCommentSchema = z.object({
  changeRequest: z.int().check(z.positive()),
  /** The hidden key the comment starts with (`<!-- flux-pr-comment-key:… -->`). */
  marker: z.string().check(z.minLength(1), z.maxLength(1024)),
  body: z.string().check(z.maxLength(65_536)),
});
export type ChangeRequestComment = z.infer<typeof ChangeRequestCommentSchema>;

const VERDICTS: Record<CommitStatus['state'], { mark: string; words: string }> = {
  pending: { mark: '⏳', words: 'in progress' },
  success: { mark: '✅', words: 'succeeded' },
  failure: { mark: '⚠️', words: 'failed' },
  error: { mark: '⚠️', words: 'ended without a verdict' },
};

/** The change request's number from the event's metadata, when it carries a usable one. */
export function changeRequestOf(metadata: Readonly<Record<string, string>>): number | undefined {
  const value = metadata[CHANGE_REQUEST_KEY];
  if (value === undefined || !/^[1-9][0-9]{0,9}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Flux's hidden key, `<!-- flux-pr-comment-key:<provider uid>/<kind>/<namespace>/<name> -->`: with
 * the Provider's uid set on the route, the comment Flux wrote is edited in place.
 */
export function commentMarker(providerKey: string, object: FluxEvent['involvedObject']): string {
  return `<!-- ${KEY_PREFIX}:${providerKey}/${object.kind}/${object.namespace ?? ''}/${object.name} -->`;
}

/**
 * Flux's comment (internal/notifier/markdown.go: a "Flux Status" heading, the object, the message
 * and the sorted metadata but `change_request`), with the verdict beside the object: the cluster
 * and the commit it is about, the status's link and the preview environment's (`preview-url`). Flux shows only a severity mark and never the
 * final success, as it drops `commit_status: update` events for these providers.
 */
export function renderComment(
  marker: string,
  event: FluxEvent,
  metadata: Readonly<Record<string, string>>,
  status: CommitStatus,
  cluster: string,
): string {
  const { kind, namespace, name } = event.involvedObject;
  const verdict = VERDICTS[status.state];
  const lines = Object.keys(metadata)
    .filter((key) => key !== CHANGE_REQUEST_KEY)
    .sort()
    .map((key) => `* \`${key}\`: ${metadata[key]}\n`)
    .join('');
  const preview = previewUrlOf(metadata);
  const links = [
    ...(status.targetUrl === undefined || status.targetUrl === preview
      ? []
      : [`[Details](${status.targetUrl})`]),
    ...(preview === undefined ? [] : [`[Preview](${preview})`]),
  ];
  const link = links.length === 0 ? '' : `${links.join(' · ')}\n\n`;
  const body =
    `${marker}\n\n## Flux Status\n\n${verdict.mark} ${kind}/${namespace ?? ''}/${name}: **${verdict.words}** on \`${cluster}\` at \`${status.sha.slice(0, 7)}\`\n\n` +
    `${truncate(event.message, MESSAGE_LIMIT)}\n\n${link}Metadata:\n${lines}`;
  return truncate(body, BODY_LIMIT);
}

/**
 * A fleet environment's comment on the change request: its roll-up's verdict for the object, in the
 * layout of a cluster's, the environment in place of the cluster and the roll-up's description in
 * place of an event's message (it counts the clusters).
 */
export function renderRollupComment(
  marker: string,
  object: string,
  status: CommitStatus,
  environment: string,
  preview: string | undefined,
): string {
  const verdict = VERDICTS[status.state];
  const links = [
    ...(status.targetUrl === undefined || status.targetUrl === '' ? [] : [`[Details](${status.targetUrl})`]),
    ...(preview === undefined ? [] : [`[Preview](${preview})`]),
  ];
  const link = links.length === 0 ? '' : `${links.join(' · ')}\n\n`;
  return truncate(
    `${marker}\n\n## Flux Status\n\n${verdict.mark} ${object}: **${verdict.words}** in environment \`${environment}\` at \`${status.sha.slice(0, 7)}\`\n\n` +
      `${truncate(status.description, MESSAGE_LIMIT)}\n\n${link}`,
    BODY_LIMIT,
  );
}

/**
 * The comment of a pending that no verdict followed (functions/pending/): the sweep's `error` with
 * its description, in the same layout; the event's message and metadata are not kept that long.
 */
export function renderResolutionComment(
  marker: string,
  object: string,
  status: CommitStatus,
  cluster: string,
): string {
  const verdict = VERDICTS[status.state];
  const link = status.targetUrl === undefined ? '' : `[Details](${status.targetUrl})\n\n`;
  return (
    `${marker}\n\n## Flux Status\n\n${verdict.mark} ${object}: **${verdict.words}** on \`${cluster}\` at \`${status.sha.slice(0, 7)}\`\n\n` +
    `${status.description}\n\n${link}`
  );
}
