import { ForgeError, ForgeRejectedError, RelayError } from '../core/errors.js';
import { statusOf } from '../core/http-response.js';
import type { SecretSource } from '../secrets/secret-source.js';
import { SecretScope } from './secret-scope.js';

export type Outcome =
  | 'written'
  | 'duplicate'
  | 'superseded'
  | 'recorded'
  | 'dry-run'
  | 'queued'
  | 'retrying'
  | 'skipped'
  | 'rejected'
  | 'failed'
  | 'dead-lettered';

/** Everything worth knowing about one delivery, for its log line and its metrics. Never a secret. */
export interface DeliveryRecord {
  outcome: Outcome;
  statusCode: number;
  durationMs: number;
  route?: string;
  cluster?: string;
  forge?: string;
  object?: string;
  sha?: string;
  context?: string;
  state?: string;
  description?: string;
  targetUrl?: string;
  eventTime?: string;
  forgeStatus?: number;
  /** The attempt number of a delivery retried from the queue. */
  attempt?: number;
  /** A retried delivery: the attempts it has in all, and when the next one is due (`retrying`). */
  maxAttempts?: number;
  nextAttemptAt?: string;
  /** The error's code, as the answer gives it, and its class, which the bundle keeps literal. */
  error?: string;
  errorName?: string;
  reason?: string;
  /**
   * The fleet environment's roll-up: on a cluster's report, what became of its verdict (`report`);
   * on the roll-up's recompute, what it wrote or found current.
   */
  rollup?: {
    context: string;
    report?: string;
    state?: string;
    description?: string;
    outcome?: string;
    sequence?: number;
    deployment?: string;
    promotion?: string;
  };
  /**
   * The commits this verdict's deployment carried since the object's last one (functions/ranges/):
   * how many got a status here, were queued, or were left out past the route's rangeLimit.
   */
  range?: {
    base: string;
    descends: boolean;
    commits: number;
    written: number;
    queued: number;
    left: number;
    /** `left` is a lower bound: the forge had more than was read. */
    more?: boolean;
  };
  /** How the change request's comment went (`changeRequestComments`), when the event named one. */
  comment?: 'written' | 'duplicate' | 'superseded';
  /** A status this service wrote for a pending commit (functions/pending/), not for an event. */
  resolution?: 'superseded' | 'timeout';
  /** The details page's record: a new verdict added, or a repeat counted here and not written. */
  details?: 'added' | 'repeat';
}

/** Told of every delivery attempt's record: the log line and the metrics come from it. */
export type ObserveDelivery = (record: DeliveryRecord) => void;

class InternalError extends RelayError {
  override readonly name = 'InternalError';
  readonly code = 'internal-error';
}

/**
 * The relay's error for anything thrown, and the record's account of it. An unexpected error keeps
 * its stack in the log line and says only "internal error" in the answer.
 */
export function recordFailure(caught: unknown, record: DeliveryRecord): RelayError {
  const error =
    caught instanceof RelayError
      ? caught
      : new InternalError('internal error; see the function log', { cause: caught });
  const status = statusOf(error);
  record.outcome = status >= 500 || error instanceof ForgeRejectedError ? 'failed' : 'rejected';
  record.error = error.code;
  record.errorName = error.name;
  record.reason = error instanceof InternalError ? String((caught as Error)?.stack ?? caught) : error.message;
  if (error instanceof ForgeError && error.forgeStatus !== undefined) record.forgeStatus = error.forgeStatus;
  return error;
}

/** One delivery attempt as it runs: its record, the secrets it read, and when it started. */
export interface Attempt {
  record: DeliveryRecord;
  scope: SecretScope;
  started: number;
}

export interface AttemptSteps<T> {
  run: (attempt: Attempt) => Promise<T>;
  /** The attempt's result when `run` threw; the record already tells the failure. It may throw on. */
  failed: (error: RelayError, attempt: Attempt) => T | Promise<T>;
  /** The last word on the result, and on the record, before the record is told. */
  settle?: (result: T, attempt: Attempt) => T;
}

/**
 * The bookkeeping every delivery attempt shares (the webhook's, the queue's, a pending
 * resolution's, a roll-up's recompute): its start, its own secret scope, the record of its failure,
 * its duration, and its record told once, scrubbed of every secret the attempt read.
 */
export async function runAttempt<T>(
  context: { secrets: SecretSource; observe: ObserveDelivery; now: () => number },
  record: DeliveryRecord,
  steps: AttemptSteps<T>,
): Promise<T> {
  const attempt: Attempt = { record, scope: new SecretScope(context.secrets), started: context.now() };
  try {
    let result: T;
    try {
      result = await steps.run(attempt);
    } catch (caught) {
      result = await steps.failed(recordFailure(caught, record), attempt);
    }
    return steps.settle === undefined ? result : steps.settle(result, attempt);
  } finally {
    record.durationMs = context.now() - attempt.started;
    context.observe(attempt.scope.redactFields(record));
  }
}
