import * as z from 'zod/mini';
import { changeRequestOf } from './change-request-comment.js';
import { previewUrlOf } from './status-rules.js';

/**
 * A preview environment's facts from an event's metadata (flux-operator's ResourceSets for change
 * requests annotate their objects): its URL (`preview-url`) and its change request
 * (`change_request`). A fleet environment's GitHub deployment of such an object takes the URL as its
 * `environment_url`, and is transient, one environment per change request.
 */
export const PreviewSchema = z.object({
  url: z.optional(z.string().check(z.maxLength(2048))),
  changeRequest: z.optional(z.int().check(z.positive())),
});
export type Preview = z.infer<typeof PreviewSchema>;

/** The event's preview facts, or undefined when it carries neither. */
export function previewOf(metadata: Readonly<Record<string, string>>): Preview | undefined {
  const url = previewUrlOf(metadata);
  const changeRequest = changeRequestOf(metadata);
  if (url === undefined && changeRequest === undefined) return undefined;
  return { ...(url === undefined ? {} : { url }), ...(changeRequest === undefined ? {} : { changeRequest }) };
}
