import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Relay } from './relay.js';
import { type ApiGatewayEvent, fromApiGateway } from './webhook-request.js';

export type ApiGatewayHandler = (event: ApiGatewayEvent) => Promise<APIGatewayProxyResult>;

/** The same answer for the HTTP API (2.0) and the REST API (v1): both read this result shape. */
export function apiGatewayHandler(relay: Relay): ApiGatewayHandler {
  return async (event) => {
    const response = await relay(fromApiGateway(event));
    return { statusCode: response.statusCode, headers: response.headers, body: response.body };
  };
}
