import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../functions/core/authentication.js';
import { UnauthorizedError } from '../../functions/core/errors.js';
import { FluxEventSchema } from '../../functions/core/flux-event.js';
import { parseRevision } from '../../functions/core/revision.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { eventOf, FIXTURES, sign, testRoute } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

const DOCUMENTED = new Set([200, 202, 400, 401, 403, 404, 405, 413]);
// Routes in dryRun: the properties are about the handler's answers, not about a forge.
const { relay } = testRelay([
  testRoute('http://127.0.0.1:9', { dryRun: true }),
  testRoute('http://127.0.0.1:9', {
    id: 'bearer',
    dryRun: true,
    auth: { type: 'bearer', secret: 'test/webhook' },
  }),
]);
const handler = createApiGatewayHandler(relay);

async function expectWellFormed(event: Parameters<typeof handler>[0]) {
  const response = await handler(event);
  expect(DOCUMENTED.has(response.statusCode)).toBe(true);
  const body = JSON.parse(response.body);
  expect(typeof body).toBe('object');
  expect(typeof (body.error ?? body.outcome)).toBe('string');
}

describe('properties', () => {
  it('parseRevision never throws, and every commit it finds is a full lower-case SHA-1', () => {
    const revision = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[a-z/]{0,12}@sha(1|256):[0-9a-fA-F]{0,70}$/),
      fc.stringMatching(/^[a-z]{1,8}\/[0-9a-f]{1,45}$/),
    );
    fc.assert(
      fc.property(revision, (text) => {
        const result = parseRevision(text);
        if (result.ok) expect(result.commit.sha).toMatch(/^[0-9a-f]{40}$/);
        else expect(result.reason).toContain('revision');
      }),
      { numRuns: 2000 },
    );
  });

  it('verifySignature only ever throws UnauthorizedError, and accepts only the right signature', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string(), { nil: undefined }),
        fc.uint8Array({ maxLength: 256 }),
        (header, bytes) => {
          const body = Buffer.from(bytes);
          try {
            verifySignature(header, body, [Buffer.from('key')]);
            expect(header?.toLowerCase()).toBe(sign(body, 'key').toLowerCase());
          } catch (error) {
            expect(error).toBeInstanceOf(UnauthorizedError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('the event schema accepts the fixture under any extra fields and refuses any wrong type', () => {
    const base = eventOf(FIXTURES.reconciled);
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (extra) => {
        const event = { ...extra, ...base };
        expect(FluxEventSchema.safeParse(event).success).toBe(true);
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(base)),
        fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)),
        (key, value) => {
          expect(FluxEventSchema.safeParse({ ...base, [key]: value }).success).toBe(false);
        },
      ),
    );
  });

  it('no signed JSON value throws out of the handler; every answer is documented JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.json(), async (text) => {
        await expectWellFormed(apiEvent({ body: text, headers: { 'x-signature': sign(text) } }));
      }),
      { numRuns: 300 },
    );
  });

  it('no mutation of a real event throws out of the handler', async () => {
    const base = eventOf(FIXTURES.reconciled);
    const field = fc.constantFrom(
      'involvedObject',
      'severity',
      'timestamp',
      'message',
      'reason',
      'metadata',
      'reportingController',
    );
    await fc.assert(
      fc.asyncProperty(field, fc.anything(), async (key, value) => {
        const text = JSON.stringify({ ...base, [key]: value }) ?? '';
        await expectWellFormed(apiEvent({ body: text, headers: { 'x-signature': sign(text) } }));
      }),
      { numRuns: 300 },
    );
  });

  it('no request shape throws out of the handler: any route, method, headers and bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant('test'), fc.constant('bearer'), fc.string()),
        fc.constantFrom('POST', 'GET', 'DELETE', ''),
        fc.dictionary(
          fc.constantFrom('x-signature', 'authorization', 'content-type', 'X-Signature'),
          fc.string(),
        ),
        fc.uint8Array({ maxLength: 512 }),
        fc.boolean(),
        async (route, method, headers, bytes, base64) => {
          await expectWellFormed(apiEvent({ route, method, headers, body: Buffer.from(bytes), base64 }));
        },
      ),
      { numRuns: 300 },
    );
  });
});
