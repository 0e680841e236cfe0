import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import type { ApiGatewayEvent } from '../../functions/webhook/webhook-request.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import {
  eventOf,
  FIXTURES,
  fixture,
  MemorySecrets,
  sign,
  testRoute,
  WEBHOOK_KEY,
} from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const reconciled = fixture(FIXTURES.reconciled);

function signed(body: string | Buffer, route = 'test') {
  return apiEvent({ route, body, headers: { 'x-signature': sign(body) } });
}

function mutated(change: (event: Record<string, any>) => void) {
  const event = eventOf(FIXTURES.reconciled);
  change(event);
  return signed(JSON.stringify(event));
}

function withHeaders(headers: Record<string, string>, route = 'test', body: string | Buffer = reconciled) {
  return apiEvent({ route, body, headers });
}

function v1(
  headers: Record<string, string>,
  multiValueHeaders: Record<string, string[]> = {},
): APIGatewayProxyEvent {
  return {
    resource: '/hooks/{route}',
    path: '/hooks/test',
    httpMethod: 'POST',
    headers,
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { route: 'test' },
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body: reconciled.toString('utf8'),
    isBase64Encoded: false,
  };
}

const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
let deepObject = '"x"';
for (let i = 0; i < 2_000; i++) deepObject = `{"a":${deepObject}}`;

/**
 * At least forty malformed or hostile requests, each with its documented answer, and not one forge
 * call among them: nothing half-done reaches the forge.
 */
const CORPUS: Array<[string, ApiGatewayEvent, number, string]> = [
  ['truncated JSON', signed(reconciled.subarray(0, 100)), 400, 'bad-request'],
  ['JSON with trailing garbage', signed(`${reconciled.toString()}}`), 400, 'bad-request'],
  ['a 100,000-deep array', signed(deepArray), 400, 'bad-request'],
  [
    'a 2,000-deep object in metadata',
    mutated((e) => {
      e.metadata = JSON.parse(deepObject);
    }),
    400,
    'bad-request',
  ],
  [
    'a 900 KB message',
    mutated((e) => {
      e.message = 'm'.repeat(900_000);
    }),
    400,
    'bad-request',
  ],
  [
    'a huge reason',
    mutated((e) => {
      e.reason = 'R'.repeat(10_000);
    }),
    400,
    'bad-request',
  ],
  [
    'involvedObject as a string',
    mutated((e) => {
      e.involvedObject = 'Kustomization/apps';
    }),
    400,
    'bad-request',
  ],
  [
    'severity as a number',
    mutated((e) => {
      e.severity = 1;
    }),
    400,
    'bad-request',
  ],
  [
    'metadata as an array',
    mutated((e) => {
      e.metadata = ['revision'];
    }),
    400,
    'bad-request',
  ],
  [
    'timestamp as a number',
    mutated((e) => {
      e.timestamp = 1_700_000_000;
    }),
    400,
    'bad-request',
  ],
  ['a JSON null', signed('null'), 400, 'bad-request'],
  ['a JSON number', signed('42'), 400, 'bad-request'],
  ['a JSON string', signed('"event"'), 400, 'bad-request'],
  [
    'a byte-order mark before the JSON',
    signed(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), reconciled])),
    400,
    'bad-request',
  ],
  [
    'invalid UTF-8',
    apiEvent({
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      base64: true,
      headers: { 'x-signature': sign(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])) },
    }),
    400,
    'bad-request',
  ],
  [
    'a name with a right-to-left override',
    mutated((e) => {
      e.involvedObject.name = 'apps\u202etxt.exe';
    }),
    400,
    'bad-request',
  ],
  [
    'a name with a zero-width space',
    mutated((e) => {
      e.involvedObject.name = 'ap\u200bps';
    }),
    400,
    'bad-request',
  ],
  [
    'a name with a slash',
    mutated((e) => {
      e.involvedObject.name = '../../admin';
    }),
    400,
    'bad-request',
  ],
  [
    'a name with a newline',
    mutated((e) => {
      e.involvedObject.name = 'apps\nX-Injected: 1';
    }),
    400,
    'bad-request',
  ],
  [
    'a kind with a slash',
    mutated((e) => {
      e.involvedObject.kind = 'Kustomization/x';
    }),
    400,
    'bad-request',
  ],
  [
    'a namespace in upper case',
    mutated((e) => {
      e.involvedObject.namespace = 'Flux-System';
    }),
    400,
    'bad-request',
  ],
  [
    'a full-width look-alike kind',
    mutated((e) => {
      e.involvedObject.kind = 'Ｋustomization';
    }),
    400,
    'bad-request',
  ],
  ['a missing X-Signature', withHeaders({}), 401, 'unauthorized'],
  [
    'an X-Signature one hex digit short',
    withHeaders({ 'x-signature': sign(reconciled).slice(0, -1) }),
    401,
    'unauthorized',
  ],
  [
    'an X-Signature one hex digit long',
    withHeaders({ 'x-signature': `${sign(reconciled)}0` }),
    401,
    'unauthorized',
  ],
  [
    'a sha512 label on a sha256 digest',
    withHeaders({ 'x-signature': sign(reconciled).replace('sha256', 'sha512') }),
    401,
    'unauthorized',
  ],
  [
    'an X-Signature with a second "="',
    withHeaders({ 'x-signature': `sha256==${sign(reconciled).slice(7)}` }),
    401,
    'unauthorized',
  ],
  [
    'an X-Signature repeated (two values joined)',
    v1({}, { 'X-Signature': [sign(reconciled), sign(reconciled)] }),
    401,
    'unauthorized',
  ],
  [
    'an X-Signature of the right body in the wrong header',
    withHeaders({ 'x-hub-signature-256': sign(reconciled) }),
    401,
    'unauthorized',
  ],
  [
    'a body replayed to another route with another key',
    apiEvent({ route: 'other', body: reconciled, headers: { 'x-signature': sign(reconciled) } }),
    401,
    'unauthorized',
  ],
  [
    'a base64 flag on a body that is not base64',
    { ...withHeaders({ 'x-signature': sign(reconciled) }), isBase64Encoded: true },
    401,
    'unauthorized',
  ],
  [
    'a bearer route with Basic credentials',
    withHeaders({ authorization: `Basic ${Buffer.from(`x:${WEBHOOK_KEY}`).toString('base64')}` }, 'bearer'),
    401,
    'unauthorized',
  ],
  [
    'a bearer route with two tokens',
    withHeaders({ authorization: `Bearer ${WEBHOOK_KEY}, Bearer ${WEBHOOK_KEY}` }, 'bearer'),
    401,
    'unauthorized',
  ],
  [
    'a bearer route with an empty token',
    withHeaders({ authorization: 'Bearer' }, 'bearer'),
    401,
    'unauthorized',
  ],
  ['a route id with path traversal', signed(reconciled, '../admin'), 404, 'route-not-found'],
  ['an encoded path traversal', signed(reconciled, '..%2F..%2Fadmin'), 404, 'route-not-found'],
  ['a route id of 10,000 characters', signed(reconciled, 'r'.repeat(10_000)), 404, 'route-not-found'],
  ['a route id with a NUL byte', signed(reconciled, 'test\u0000'), 404, 'route-not-found'],
  ['a route id in Cyrillic look-alikes', signed(reconciled, 'tеst'), 404, 'route-not-found'],
  ['a route id in upper case', signed(reconciled, 'TEST'), 404, 'route-not-found'],
  ['a PUT', apiEvent({ body: reconciled, method: 'PUT' }), 405, 'method-not-allowed'],
  ['a body of 1 MiB and one byte', signed(Buffer.alloc(1024 * 1024 + 1, 0x20)), 413, 'payload-too-large'],
  ['a body of 5 MiB', withHeaders({}, 'test', Buffer.alloc(5 * 1024 * 1024, 0x7b)), 413, 'payload-too-large'],
  ['an event older than the freshness window', signed(reconciled, 'fresh'), 403, 'stale-event'],
];

describe('hostile input corpus', () => {
  let github: FakeGitHub;
  let handler: ReturnType<typeof createApiGatewayHandler>;

  beforeAll(async () => {
    github = await new FakeGitHub().start();
    const secrets = new MemorySecrets({
      'test/webhook': { token: WEBHOOK_KEY },
      'test/other': { token: 'another-route-key' },
      'test/forge': { token: 'forge-token' },
    });
    const { relay } = testRelay(
      [
        testRoute(github.url),
        testRoute(github.url, { id: 'other', auth: { secret: 'test/other' } }),
        testRoute(github.url, { id: 'bearer', auth: { type: 'bearer', secret: 'test/webhook' } }),
        testRoute(github.url, { id: 'fresh', maxEventAgeSeconds: 300 }),
      ],
      { secrets },
    );
    handler = createApiGatewayHandler(relay);
  });

  afterAll(async () => {
    await github.stop();
  });

  it('has at least forty cases', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CORPUS.map(([name, event, status, error]) => [name, status, error, event] as const))(
    '%s → %i %s, and no forge call',
    async (_, status, error, event) => {
      // Act
      const response = await handler(event);

      // Assess
      expect(response.statusCode).toBe(status);
      const body = JSON.parse(response.body);
      expect(body).toEqual({ error, reason: expect.any(String) });
      expect(body.reason.length).toBeLessThan(1000);
      expect(github.requests).toHaveLength(0);
    },
  );

  it.each([
    [
      'a revision with a path in it',
      (e: Record<string, any>) => {
        e.metadata.revision = 'main@sha1:../../etc/passwd';
      },
    ],
    [
      'a commit with a newline',
      (e: Record<string, any>) => {
        e.metadata.commit = `${'a'.repeat(40)}\n`;
      },
    ],
  ])('skips %s with 202 and writes nothing', async (_, change) => {
    const response = await handler(mutated(change));

    expect(response.statusCode).toBe(202);
    expect(github.requests).toHaveLength(0);
  });
});
