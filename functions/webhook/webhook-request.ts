import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** A webhook request as the relay sees it, whatever front end carried it. */
export interface WebhookRequest {
  method: string;
  /** The `{route}` path segment, undecoded beyond what the front end did. */
  routeId: string | undefined;
  /** Header names lower-cased; a repeated header's values joined with ", " as HTTP allows. */
  headers: Record<string, string>;
  /** The `{token}` of `GET /details/<token>`, when the request is for a details page. */
  detailsToken?: string;
  /** The raw body bytes, exactly as signed. */
  body: Buffer;
  /** Epoch ms at which the invocation is ended (Lambda's timeout), when the front end has one. */
  deadline?: number;
}

export type ApiGatewayEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

const ROUTE_IN_PATH = /\/hooks\/([^/]+)\/?$/;
const DETAILS_IN_PATH = /^\/details\/([^/]*)\/?$/;

function isV2(event: ApiGatewayEvent): event is APIGatewayProxyEventV2 {
  return (event as APIGatewayProxyEventV2).version === '2.0';
}

function lowerCaseHeaders(
  single: Record<string, string | undefined> | null | undefined,
  multi?: Record<string, string[] | undefined> | null,
): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  if (multi) {
    for (const [name, values] of Object.entries(multi)) {
      if (values !== undefined && values.length > 0) headers[name.toLowerCase()] = values.join(', ');
    }
  }
  for (const [name, value] of Object.entries(single ?? {})) {
    const key = name.toLowerCase();
    if (value !== undefined && headers[key] === undefined) headers[key] = value;
  }
  return headers;
}

/**
 * Reads an API Gateway HTTP API (payload 2.0) or REST API (v1 proxy) event. The body is decoded from
 * base64 when the front end says so, and otherwise taken byte for byte, since the signature covers it.
 */
export function fromApiGateway(event: ApiGatewayEvent): WebhookRequest {
  const v2 = isV2(event);
  const method = v2 ? event.requestContext.http.method : event.httpMethod;
  const path = v2 ? event.rawPath : event.path;
  const routeId = event.pathParameters?.route ?? ROUTE_IN_PATH.exec(path ?? '')?.[1];
  const headers = v2
    ? lowerCaseHeaders(event.headers)
    : lowerCaseHeaders(event.headers, event.multiValueHeaders);
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  const detailsToken = event.pathParameters?.token ?? DETAILS_IN_PATH.exec(path ?? '')?.[1];
  return {
    method: (method ?? '').toUpperCase(),
    routeId,
    headers,
    body,
    ...(detailsToken === undefined ? {} : { detailsToken }),
  };
}
