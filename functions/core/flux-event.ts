import * as z from 'zod/mini';
import { BadRequestError } from './errors.js';
import { describeIssues } from './zod-issues.js';

const text = (max: number) => z.string().check(z.maxLength(max));
// Kubernetes' own rules for kinds, names and namespaces: they reach status contexts and URLs, so
// nothing else (slashes, control characters, look-alike Unicode) may pass.
const kind = z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9]{0,62}$/, 'must be a Kubernetes kind'));
const name = z
  .string()
  .check(z.maxLength(253), z.regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name'));
const namespace = z
  .string()
  .check(z.maxLength(63), z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace'));

/** Flux's `Event` (fluxcd/pkg/runtime/events), as notification-controller forwards it. */
export const FluxEventSchema = z.object({
  involvedObject: z.object({
    kind,
    name,
    namespace: z.optional(namespace),
    uid: z.optional(text(64)),
    apiVersion: z.optional(text(253)),
    resourceVersion: z.optional(text(64)),
  }),
  severity: z.enum(['info', 'error', 'trace']),
  timestamp: z.iso.datetime({ offset: true }),
  message: text(64 * 1024),
  reason: text(256),
  metadata: z.optional(z.record(text(317), text(16 * 1024))),
  reportingController: text(253),
  reportingInstance: z.optional(text(253)),
});

export type FluxEvent = z.infer<typeof FluxEventSchema>;

/** Matches the group prefix that the controllers add and that notification-controller strips. */
const GROUP_PREFIX = /^[a-z0-9.-]+\.fluxcd\.io\//;

/**
 * Metadata with group prefixes removed, so `kustomize.toolkit.fluxcd.io/revision` (Flux's docs) and
 * `revision` (what a webhook receives today) read the same. An unprefixed key wins over a prefixed one.
 */
export function normaliseMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const result: Record<string, string> = Object.create(null);
  if (metadata === undefined) return result;
  for (const [key, value] of Object.entries(metadata)) {
    if (GROUP_PREFIX.test(key)) {
      const short = key.replace(GROUP_PREFIX, '');
      if (!Object.hasOwn(metadata, short)) result[short] = value;
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** Parses an authenticated body into a Flux event, or says exactly which field is wrong. */
export function parseFluxEvent(body: string): FluxEvent {
  if (body.trim() === '') throw new BadRequestError('the request body is empty; expected a Flux event');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new BadRequestError('the request body is not valid JSON');
  }
  const result = FluxEventSchema.safeParse(json);
  if (!result.success) {
    throw new BadRequestError(`the body is not a Flux event: ${describeIssues(result.error.issues)}`);
  }
  return result.data;
}
