/**
 * Every failure the relay can meet, as a small named class. The HTTP status each one maps to lives
 * in `http-response.ts`, in one table, so that Flux's retry behaviour is decided in one place.
 */
export abstract class RelayError extends Error {
  abstract readonly code: string;
  /** Literal in every class: a minified bundle renames the classes, and logs must not say `r`. */
  abstract override readonly name: string;
}

/** The request is malformed: not JSON, not a Flux event, wrong method. Flux must not retry. */
export class BadRequestError extends RelayError {
  override readonly name = 'BadRequestError';
  readonly code = 'bad-request';
}

export class MethodNotAllowedError extends RelayError {
  override readonly name = 'MethodNotAllowedError';
  readonly code = 'method-not-allowed';
}

export class UnauthorizedError extends RelayError {
  override readonly name = 'UnauthorizedError';
  readonly code = 'unauthorized';
}

export class RouteNotFoundError extends RelayError {
  override readonly name = 'RouteNotFoundError';
  readonly code = 'route-not-found';
}

export class PayloadTooLargeError extends RelayError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'payload-too-large';
}

/** The route's configuration cannot serve this request (for example a secret without `token`). */
export class RouteMisconfiguredError extends RelayError {
  override readonly name = 'RouteMisconfiguredError';
  readonly code = 'route-misconfigured';
}

/** A secret could not be read from its store after retries: transient, Flux should retry. */
export class SecretUnavailableError extends RelayError {
  override readonly name = 'SecretUnavailableError';
  readonly code = 'secret-unavailable';
}

/** What a forge said or failed to say: the HTTP status of its last answer, when there was one. */
export abstract class ForgeError extends RelayError {
  constructor(
    message: string,
    readonly forgeStatus?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The forge refused the status for good (401, 403, 404, 422): retrying cannot help. */
export class ForgeRejectedError extends ForgeError {
  override readonly name = 'ForgeRejectedError';
  readonly code = 'forge-rejected';
  declare readonly forgeStatus: number;
  constructor(message: string, forgeStatus: number, options?: ErrorOptions) {
    super(message, forgeStatus, options);
  }
}

/** The forge failed after retries (5xx, 429, timeouts, connection errors): Flux should retry. */
export class ForgeUnavailableError extends ForgeError {
  override readonly name = 'ForgeUnavailableError';
  readonly code = 'forge-unavailable';
}

/**
 * The route's `commitStatusExpr` failed on this event (a missing key, a result that is not a usable
 * status name). Flux drops such an event with an error too; retrying the same event cannot help.
 */
export class StatusExpressionError extends RelayError {
  override readonly name = 'StatusExpressionError';
  readonly code = 'status-expression-failed';
}

/** A configuration file that does not match the schema; raised at start-up, never per request. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** An authenticated event older than the route's freshness window: possibly a replay. */
export class StaleEventError extends RelayError {
  override readonly name = 'StaleEventError';
  readonly code = 'stale-event';
}

/** An event stamped further ahead of this function's clock than the route allows. */
export class FutureEventError extends RelayError {
  override readonly name = 'FutureEventError';
  readonly code = 'future-event';
}

/**
 * The delivery ledger could not be read or written. Nothing is written blind (the order of the
 * forge's statuses depends on the ledger), so the delivery is queued or Flux retries it.
 */
export class LedgerUnavailableError extends RelayError {
  override readonly name = 'LedgerUnavailableError';
  readonly code = 'ledger-unavailable';
}

/** Deliveries of one status identity kept changing the ledger under this one: try again later. */
export class OrderingContentionError extends RelayError {
  override readonly name = 'OrderingContentionError';
  readonly code = 'ordering-contention';
}

/**
 * Another delivery holds the claim on a one-time action (a promotion signal, a deployment's
 * creation) and may be doing it: this one comes back later (the queue) to find it done, or the
 * claim expired and the action still owed.
 */
export class ClaimInFlightError extends RelayError {
  override readonly name = 'ClaimInFlightError';
  readonly code = 'claim-in-flight';
}

/**
 * Faults that pass (the forge, the ledger, the secret store, a storm on one identity): a delivery
 * that met one after its decision is worth the retry queue; any other refusal is final.
 */
export function isPassingFault(error: unknown): error is RelayError {
  return (
    error instanceof ForgeUnavailableError ||
    error instanceof LedgerUnavailableError ||
    error instanceof SecretUnavailableError ||
    error instanceof OrderingContentionError ||
    error instanceof ClaimInFlightError
  );
}
