import {
  BadRequestError,
  ClaimInFlightError,
  ForgeRejectedError,
  ForgeUnavailableError,
  FutureEventError,
  LedgerUnavailableError,
  MethodNotAllowedError,
  OrderingContentionError,
  PayloadTooLargeError,
  type RelayError,
  RouteMisconfiguredError,
  RouteNotFoundError,
  SecretUnavailableError,
  StaleEventError,
  StatusExpressionError,
  UnauthorizedError,
} from './errors.js';

export interface JsonResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The single table from error class to HTTP status. Flux retries 429 and 5xx (except 501) and
 * treats every other 4xx as final, so a final forge refusal is a 424, never a 5xx.
 */
const STATUS_BY_ERROR: ReadonlyArray<[new (...args: never[]) => RelayError, number]> = [
  [BadRequestError, 400],
  [FutureEventError, 400],
  [UnauthorizedError, 401],
  [StaleEventError, 403],
  [RouteNotFoundError, 404],
  [MethodNotAllowedError, 405],
  [PayloadTooLargeError, 413],
  [StatusExpressionError, 422],
  [ForgeRejectedError, 424],
  [RouteMisconfiguredError, 500],
  [ForgeUnavailableError, 502],
  [SecretUnavailableError, 503],
  [LedgerUnavailableError, 503],
  [OrderingContentionError, 503],
  [ClaimInFlightError, 503],
];

export function statusOf(error: RelayError): number {
  for (const [type, status] of STATUS_BY_ERROR) {
    if (error instanceof type) return status;
  }
  return 500;
}

export function jsonResponse(statusCode: number, body: unknown): JsonResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** `reason` is the error's message as the caller may show it (scrubbed of secrets). */
export function errorResponse(error: RelayError, reason = error.message): JsonResponse {
  const response = jsonResponse(statusOf(error), { error: error.code, reason });
  if (statusOf(error) >= 502) {
    // Flux honours Retry-After; a short pause gives a rate limit or a blip time to pass.
    response.headers['retry-after'] = '2';
  }
  return response;
}
