import * as z from 'zod/mini';

/**
 * `error` is never an event's verdict: it is what this service writes when none came (the pending
 * sweep, functions/pending/), or for a commit superseded by one that failed. Each forge maps it to its
 * word for "ended without a verdict".
 */
export const STATUS_STATES = ['success', 'failure', 'pending', 'error'] as const;

/**
 * A decided commit status, as the relay hands it to a forge and as the retry queue carries it. The
 * queue's messages are parsed with this schema again on receipt, so the SHA must be a full SHA-1:
 * it reaches request paths.
 */
export const CommitStatusSchema = z.object({
  sha: z.string().check(z.regex(/^[0-9a-f]{40}$/, 'a full 40-character lower-case SHA-1')),
  /** The branch or tag from the revision, when it named one (GitLab attaches statuses to it). */
  ref: z.optional(z.string().check(z.maxLength(1024))),
  state: z.enum(STATUS_STATES),
  /** The status identity on the forge; readable, as the user configured it. */
  context: z.string().check(z.minLength(1), z.maxLength(1024)),
  /** Untruncated: each forge cuts it to its own limit. */
  description: z.string().check(z.maxLength(65_536)),
  targetUrl: z.optional(z.string().check(z.maxLength(4096))),
  /** Flux's `summary` metadata, which Azure DevOps puts in the status genre. */
  summary: z.optional(z.string().check(z.maxLength(1024))),
});

export type CommitStatus = z.infer<typeof CommitStatusSchema>;
export type StatusState = CommitStatus['state'];
