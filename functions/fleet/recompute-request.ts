import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { PreviewSchema } from '../core/preview.js';

/**
 * A request to recompute one roll-up, sent when a cluster's verdict changed. It names the roll-up,
 * not the verdict: the consumer reads every cluster's newest verdict itself, so any number of
 * requests for one roll-up are one recompute, and a late one is never stale.
 */
export const RecomputeRequestSchema = z.object({
  /** The reporting cluster's route: its forge and repository are the roll-up's. */
  routeId: z.string().check(z.minLength(1), z.maxLength(63)),
  environment: z.string().check(z.minLength(1), z.maxLength(63)),
  /** `Kind/namespace/name`. */
  object: z.string().check(z.maxLength(512)),
  sha: z.string().check(z.minLength(1), z.maxLength(128)),
  ref: z.optional(z.string().check(z.maxLength(512))),
  context: z.string().check(z.minLength(1), z.maxLength(255)),
  /** The roll-up's key (see `rollupKeyOf`): its cluster items' partition and its message group. */
  rollup: z.string().check(z.minLength(1), z.maxLength(2048)),
  /** The reporting event's preview environment (an object annotation: alike in every report). */
  preview: z.optional(PreviewSchema),
});
export type RecomputeRequest = z.infer<typeof RecomputeRequestSchema>;

/** Where requests go: an SQS FIFO queue on AWS, this process's serialiser locally. */
export interface RecomputeQueue {
  /** `dedupId` names the report that asked: its repeats within minutes are one request. */
  request(request: RecomputeRequest, dedupId: string): Promise<void>;
}

/** SQS limits a message group id to 128 characters: the roll-up's key, hashed. */
export function messageGroupOf(rollup: string): string {
  return createHash('sha256').update(rollup).digest('hex');
}

/** One report's deduplication id: the same report re-sent asks once. */
export function dedupIdOf(rollup: string, cluster: string, order: string): string {
  return createHash('sha256').update(`${rollup}\n${cluster}\n${order}`).digest('hex');
}
