/**
 * Every failure the relay can meet, as a small named class. The HTTP status each one maps to lives
 * in `http-response.ts`, in one table, so that Flux's retry behaviour is decided in one place.
 */
export abstract class RelayError extends Error {
  abstract readonly code: string;
  override name = this.constructor.name;
}

/** The request is malformed: not JSON, not a Flux event, wrong method. Flux must not retry. */
export class BadRequestError extends RelayError {
  readonly code = 'bad-request';
}

export class MethodNotAllowedError extends RelayError {
  readonly code = 'method-not-allowed';
}

export class UnauthorizedError extends RelayError {
  readonly code = 'unauthorized';
}

export class RouteNotFoundError extends RelayError {
  readonly code = 'route-not-found';
}

export class PayloadTooLargeError extends RelayError {
  readonly code = 'payload-too-large';
}

/** The route's configuration cannot serve this request (for example a secret without `token`). */
export class RouteMisconfiguredError extends RelayError {
  readonly code = 'route-misconfigured';
}

/** A secret could not be read from its store after retries: transient, Flux should retry. */
export class SecretUnavailableError extends RelayError {
  readonly code = 'secret-unavailable';
}

/** The forge refused the status for good (401, 403, 404, 422): retrying cannot help. */
export class ForgeRejectedError extends RelayError {
  readonly code = 'forge-rejected';
  constructor(
    message: string,
    readonly forgeStatus: number,
  ) {
    super(message);
  }
}

/** The forge failed after retries (5xx, 429, timeouts, connection errors): Flux should retry. */
export class ForgeUnavailableError extends RelayError {
  readonly code = 'forge-unavailable';
  constructor(
    message: string,
    readonly forgeStatus?: number,
  ) {
    super(message);
  }
}

/** A configuration file that does not match the schema; raised at start-up, never per request. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** An authenticated event older than the route's freshness window: possibly a replay. */
export class StaleEventError extends RelayError {
  readonly code = 'stale-event';
}
