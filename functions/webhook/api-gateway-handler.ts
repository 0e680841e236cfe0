import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Relay } from './relay.js';
import { type ApiGatewayEvent, fromApiGateway } from './webhook-request.js';

export type ApiGatewayHandler = (
  event: ApiGatewayEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<APIGatewayProxyResult>;

/** The same answer for the HTTP API (2.0) and the REST API (v1): both read this result shape. */
export function apiGatewayHandler(relay: Relay, now: () => number = Date.now): ApiGatewayHandler {
  return async (event, context) => {
    const request = fromApiGateway(event);
    // The forge's budget is what Lambda leaves this invocation, less the hand-off to the queue.
    if (typeof context?.getRemainingTimeInMillis === 'function') {
      request.deadline = now() + context.getRemainingTimeInMillis();
    }
    const response = await relay(request);
    return { statusCode: response.statusCode, headers: response.headers, body: response.body };
  };
}
