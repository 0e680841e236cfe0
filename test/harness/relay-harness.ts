import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Route } from '../../functions/config/route-schema.js';
import type { DeliveryRecord } from '../../functions/delivery/delivery-record.js';
import { createService, type ServiceOptions } from '../../functions/service/create-service.js';
import { defaultSecrets, sign } from './flux-fixtures.js';

export function apiEvent(options: {
  route?: string;
  body: Buffer | string;
  headers?: Record<string, string>;
  method?: string;
  base64?: boolean;
}): APIGatewayProxyEventV2 {
  const body = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
  const route = options.route ?? 'test';
  const method = options.method ?? 'POST';
  // As API Gateway sends it now that each configured route is a route of its own: no path parameters.
  return {
    version: '2.0',
    routeKey: `POST /hooks/${route}`,
    rawPath: `/hooks/${route}`,
    rawQueryString: '',
    headers: options.headers ?? { 'content-type': 'application/json', 'x-signature': sign(body) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'example',
      http: {
        method,
        path: `/hooks/${route}`,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'flux',
      },
      requestId: 'request',
      routeKey: `POST /hooks/${route}`,
      stage: '$default',
      time: '25/Nov/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    body: options.base64 ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: options.base64 === true,
  };
}

export function testRelay(routes: Route[], options: Partial<ServiceOptions> = {}) {
  const records: DeliveryRecord[] = [];
  const secrets = options.secrets ?? defaultSecrets();
  const { relay, redeliver, sweep, recompute, recomputes, queue } = createService({
    routes,
    secrets,
    observe: (record) => records.push(record),
    // A failed recompute's next attempt at once, as the FIFO queue's redelivery would come.
    recomputeRetryMs: 5,
    ...options,
  });
  /** Resolves once this relay's in-process roll-up recomputes are done. */
  const settle = async () => recomputes?.idle();
  /**
   * The relay as these tests drive it: a request's answer comes once the roll-up recompute it
   * asked for is done too, so a test reads the forge after a report as before the roll-up had its
   * own consumer (the burst test drives `createService` itself, without waiting).
   */
  const settled: typeof relay = async (request) => {
    const answer = await relay(request);
    await settle();
    return answer;
  };
  return { relay: settled, redeliver, sweep, recompute, settle, records, secrets, queue };
}
