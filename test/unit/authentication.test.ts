import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyBearer, verifySignature } from '../../functions/core/authentication.js';
import { UnauthorizedError } from '../../functions/core/errors.js';
import { sign } from '../harness/flux-fixtures.js';

const FLUX_KEY = '7152fed34dd6149a7c75a276c510da27cb6f82b0';
// Flux's own forwarder test vector: the body and signature of notification-controller's test.
const FLUX_BODY = Buffer.from(
  '{"involvedObject":{"kind":"GitRepository","namespace":"gitops-system","name":"webapp"},"severity":"info","timestamp":"2022-09-30T06:40:29Z","message":"message","reason":"reason","metadata":{"test":"metadata"},"reportingController":"source-controller","reportingInstance":"source-controller-xyz"}',
);
const FLUX_SIGNATURE = 'sha256=65b018549b1254e7226d1c08f9567ee45bc9de0fc4e7b1a40253f9a018b08be7';

describe('verifySignature', () => {
  it("accepts Flux's own test vector", () => {
    expect(() => verifySignature(FLUX_SIGNATURE, FLUX_BODY, [Buffer.from(FLUX_KEY)])).not.toThrow();
  });

  it('matches the shared fixture vectors byte for byte', () => {
    const vectors = JSON.parse(
      readFileSync(new URL('../fixtures/hmac-vectors.json', import.meta.url), 'utf8'),
    );
    for (const vector of vectors.vectors) {
      const body = readFileSync(new URL(`../fixtures/flux-events/${vector.file}`, import.meta.url));
      expect(() => verifySignature(vector.xSignature, body, [Buffer.from(vector.key)])).not.toThrow();
    }
  });

  it.each(['sha224', 'sha256', 'sha384', 'sha512'])('accepts %s', (algorithm) => {
    const body = Buffer.from('{"a":1}');
    expect(() => verifySignature(sign(body, 'k', algorithm), body, [Buffer.from('k')])).not.toThrow();
  });

  it('accepts an upper-case algorithm and hex', () => {
    const body = Buffer.from('{}');
    expect(() => verifySignature(sign(body, 'k').toUpperCase(), body, [Buffer.from('k')])).not.toThrow();
  });

  it('accepts any of several keys, for a rotation', () => {
    const body = Buffer.from('{}');
    const keys = [Buffer.from('old'), Buffer.from('new')];
    expect(() => verifySignature(sign(body, 'new'), body, keys)).not.toThrow();
    expect(() => verifySignature(sign(body, 'old'), body, keys)).not.toThrow();
  });

  it('uses the key untrimmed, as Flux does', () => {
    const body = Buffer.from('{}');
    expect(() => verifySignature(sign(body, 'key\n'), body, [Buffer.from('key')])).toThrow(UnauthorizedError);
    expect(() => verifySignature(sign(body, 'key\n'), body, [Buffer.from('key\n')])).not.toThrow();
  });

  it.each([
    ['missing', undefined, /missing/],
    ['empty', '', /missing/],
    [
      'without algorithm',
      '65b018549b1254e7226d1c08f9567ee45bc9de0fc4e7b1a40253f9a018b08be7',
      /<algorithm>=<hex>/,
    ],
    ['with an unknown algorithm', 'md5=0123456789abcdef0123456789abcdef', /sha224, sha256/],
    ['with sha1', `sha1=${'a'.repeat(40)}`, /sha224, sha256/],
    ['with a short digest', 'sha256=abcd', /not a sha256 hex digest/],
    ['with a digest too long', `sha256=${'a'.repeat(66)}`, /not a sha256 hex digest/],
    ['garbled', `sha256=${'z'.repeat(64)}`, /not a sha256 hex digest/],
    ['over a different body', sign('{"other":true}', FLUX_KEY), /does not match/],
    ['made with another key', sign(FLUX_BODY, 'another key'), /does not match/],
  ])('refuses a signature %s', (_, header, message) => {
    expect(() => verifySignature(header, FLUX_BODY, [Buffer.from(FLUX_KEY)])).toThrow(message);
  });
});

describe('verifyBearer', () => {
  const tokens = [Buffer.from('s3cret-token')];

  it('accepts the token, whatever the case of "Bearer"', () => {
    expect(() => verifyBearer('Bearer s3cret-token', tokens)).not.toThrow();
    expect(() => verifyBearer('bearer s3cret-token', tokens)).not.toThrow();
  });

  it.each([
    ['missing', undefined],
    ['another scheme', 'Basic czNjcmV0LXRva2Vu'],
    ['a wrong token', 'Bearer s3cret-tokem'],
    ['a prefix of the token', 'Bearer s3cret'],
    ['an empty token', 'Bearer '],
  ])('refuses %s', (_, header) => {
    expect(() => verifyBearer(header, tokens)).toThrow(UnauthorizedError);
  });
});
