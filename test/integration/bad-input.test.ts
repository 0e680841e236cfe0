import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import {
  eventOf,
  FIXTURES,
  FORGE_TOKEN,
  fixture,
  sign,
  testRoute,
  WEBHOOK_KEY,
} from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

// No forge listens here: a bad request must be answered before any forge call is tried.
const route = testRoute('http://127.0.0.1:9');

function handlerWith() {
  const { relay, records } = testRelay([
    route,
    testRoute('http://127.0.0.1:9', { id: 'bearer', auth: { type: 'bearer', secret: 'test/webhook' } }),
    testRoute('http://127.0.0.1:9', { id: 'dry', dryRun: true }),
  ]);
  return { handler: createApiGatewayHandler(relay), records };
}

function signedBody(body: string | Buffer) {
  return apiEvent({ body, headers: { 'x-signature': sign(body) } });
}

function withRevision(revision: string) {
  const event = eventOf(FIXTURES.reconciled);
  event.metadata.revision = revision;
  return JSON.stringify(event);
}

const reconciled = fixture(FIXTURES.reconciled);

describe('bad input gets a clear answer, never a crash or a leak', () => {
  it.each([
    ['an empty body', signedBody(''), 400, 'bad-request', /empty/],
    ['a non-JSON body', signedBody('hello'), 400, 'bad-request', /not valid JSON/],
    ['JSON that is not a Flux event', signedBody('{"hello":"world"}'), 400, 'bad-request', /involvedObject/],
    [
      'an event without involvedObject',
      signedBody(JSON.stringify({ ...eventOf(FIXTURES.reconciled), involvedObject: undefined })),
      400,
      'bad-request',
      /involvedObject/,
    ],
    [
      'an oversize body',
      signedBody(Buffer.alloc(1024 * 1024 + 1, 32)),
      413,
      'payload-too-large',
      /limit is 1048576/,
    ],
    ['a missing X-Signature', apiEvent({ body: reconciled, headers: {} }), 401, 'unauthorized', /missing/],
    [
      'a garbled X-Signature',
      apiEvent({ body: reconciled, headers: { 'x-signature': 'sha256=zz' } }),
      401,
      'unauthorized',
      /hex digest/,
    ],
    [
      'a wrong X-Signature',
      apiEvent({ body: reconciled, headers: { 'x-signature': sign(reconciled, 'wrong') } }),
      401,
      'unauthorized',
      /does not match/,
    ],
    [
      'an unknown algorithm',
      apiEvent({ body: reconciled, headers: { 'x-signature': `md5=${'0'.repeat(32)}` } }),
      401,
      'unauthorized',
      /sha224/,
    ],
    [
      'a signature over a different body',
      apiEvent({ body: reconciled, headers: { 'x-signature': sign(fixture(FIXTURES.progressing)) } }),
      401,
      'unauthorized',
      /does not match/,
    ],
    [
      'an unknown route',
      apiEvent({ route: 'nope', body: reconciled }),
      404,
      'route-not-found',
      /no route "nope"/,
    ],
    ['a GET', apiEvent({ body: reconciled, method: 'GET' }), 405, 'method-not-allowed', /use POST/],
    [
      'a bearer route without a token',
      apiEvent({ route: 'bearer', body: reconciled, headers: {} }),
      401,
      'unauthorized',
      /Authorization/,
    ],
    [
      'a bearer route with a wrong token',
      apiEvent({ route: 'bearer', body: reconciled, headers: { authorization: 'Bearer nope' } }),
      401,
      'unauthorized',
      /not valid/,
    ],
  ])('%s → %i', async (_, event, status, error, reason) => {
    // Prepare
    const { handler, records } = handlerWith();

    // Act
    const response = await handler(event);

    // Assess
    expect(response.statusCode).toBe(status);
    expect(response.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual({ error, reason: expect.stringMatching(reason) });
    expect(records[0]).toMatchObject({ outcome: 'rejected', statusCode: status, error });
    expect(response.body).not.toContain(WEBHOOK_KEY);
    expect(response.body).not.toContain(FORGE_TOKEN);
  });

  it.each([
    [
      'an event without revision',
      fixture(FIXTURES.errorWithoutRevision),
      'no-commit',
      /no commit, originRevision or revision/,
    ],
    ['an OCI digest revision', withRevision(`latest@sha256:${'d'.repeat(64)}`), 'no-commit', /sha256 digest/],
    ['a chart version', withRevision('6.7.1'), 'no-commit', /chart or artifact version/],
    ['a short SHA', withRevision('main@sha1:df27797'), 'no-commit', /short SHA/],
  ])('%s → 202 skipped, so that Flux does not retry in vain', async (_, body, skipped, reason) => {
    const { handler, records } = handlerWith();

    const response = await handler(signedBody(body));

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toEqual({
      outcome: 'skipped',
      skipped,
      reason: expect.stringMatching(reason),
    });
    expect(records[0]?.outcome).toBe('skipped');
  });

  it('never parses the body before it is authenticated', async () => {
    const { handler } = handlerWith();

    const response = await handler(apiEvent({ body: 'not json', headers: { 'x-signature': sign('other') } }));

    expect(response.statusCode).toBe(401);
  });

  it('verifies a base64 body on its decoded bytes', async () => {
    const { handler } = handlerWith();
    const event = apiEvent({
      route: 'dry',
      body: reconciled,
      base64: true,
      headers: { 'x-signature': sign(reconciled) },
    });

    const response = await handler(event);

    expect(event.body).not.toContain('{');
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ outcome: 'dry-run', state: 'success' });
  });

  it('reads header names in any case, from a REST API (v1) event too', async () => {
    const { handler } = handlerWith();
    const v1 = {
      resource: '/hooks/{route}',
      path: '/prod/hooks/test',
      httpMethod: 'POST',
      headers: {
        'X-Signature': sign(fixture(FIXTURES.errorWithoutRevision)),
        'Content-Type': 'application/json',
      },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      requestContext: {} as APIGatewayProxyEvent['requestContext'],
      body: fixture(FIXTURES.errorWithoutRevision).toString('utf8'),
      isBase64Encoded: false,
    } satisfies APIGatewayProxyEvent;

    const response = await handler(v1);

    expect(response.statusCode).toBe(202);
  });
});
