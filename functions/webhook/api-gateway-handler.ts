import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import type { DetailsPage } from './details-page.js';
import type { Relay } from './relay.js';
import { type ApiGatewayEvent, fromApiGateway } from './webhook-request.js';

export type ApiGatewayHandler = (
  event: ApiGatewayEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<APIGatewayProxyResult>;

/**
 * The same answer for the HTTP API (2.0) and the REST API (v1): both read this result shape. A
 * details page's path goes to its page, when the environment has them; everything else to the relay.
 */
export function createApiGatewayHandler(
  relay: Relay,
  now: () => number = Date.now,
  detailsPage?: DetailsPage,
): ApiGatewayHandler {
  return async (event, context) => {
    const request = fromApiGateway(event);
    if (request.detailsToken !== undefined && detailsPage !== undefined) {
      const { statusCode, headers, body } = await detailsPage(request);
      return { statusCode, headers, body };
    }
    // The forge's budget is what Lambda leaves this invocation, less the hand-off to the queue.
    if (typeof context?.getRemainingTimeInMillis === 'function') {
      request.deadline = now() + context.getRemainingTimeInMillis();
    }
    const response = await relay(request);
    return { statusCode: response.statusCode, headers: response.headers, body: response.body };
  };
}
