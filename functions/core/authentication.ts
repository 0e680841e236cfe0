import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from './errors.js';

/** The algorithms Flux's generic-hmac provider may name in `X-Signature: <algo>=<hex>`. */
const HEX_LENGTH = { sha224: 56, sha256: 64, sha384: 96, sha512: 128 } as const;
type Algorithm = keyof typeof HEX_LENGTH;

function isAlgorithm(name: string): name is Algorithm {
  return Object.hasOwn(HEX_LENGTH, name);
}

/**
 * Checks Flux's `X-Signature` over the raw body bytes against every valid key (several during a
 * rotation). Each key is compared in constant time and all keys are tried, so timing tells nothing.
 */
export function verifySignature(header: string | undefined, body: Buffer, keys: readonly Buffer[]): void {
  if (header === undefined || header === '') {
    throw new UnauthorizedError('the X-Signature header is missing; use a generic-hmac Provider');
  }
  const equals = header.indexOf('=');
  const algorithm = (equals < 0 ? '' : header.slice(0, equals)).trim().toLowerCase();
  const hex = (equals < 0 ? header : header.slice(equals + 1)).trim().toLowerCase();
  if (!isAlgorithm(algorithm)) {
    throw new UnauthorizedError(
      'X-Signature must be <algorithm>=<hex> with sha224, sha256, sha384 or sha512',
    );
  }
  if (hex.length !== HEX_LENGTH[algorithm] || !/^[0-9a-f]+$/.test(hex)) {
    throw new UnauthorizedError(`X-Signature is not a ${algorithm} hex digest`);
  }
  const given = Buffer.from(hex, 'hex');
  let matched = false;
  for (const key of keys) {
    const expected = createHmac(algorithm, key).update(body).digest();
    matched = timingSafeEqual(expected, given) || matched;
  }
  if (!matched) throw new UnauthorizedError('X-Signature does not match the body');
}

/** Checks `Authorization: Bearer <token>`, as Flux's generic provider sends it from its secret headers. */
export function verifyBearer(header: string | undefined, tokens: readonly Buffer[]): void {
  const match = header === undefined ? null : /^Bearer +(\S.*)$/i.exec(header.trim());
  if (match === null) {
    throw new UnauthorizedError('the Authorization header is missing or not "Bearer <token>"');
  }
  // Comparing digests keeps the comparison constant-time whatever the token lengths are.
  const given = createHmac('sha256', 'bearer')
    .update(match[1] as string)
    .digest();
  let matched = false;
  for (const token of tokens) {
    const expected = createHmac('sha256', 'bearer').update(token).digest();
    matched = timingSafeEqual(expected, given) || matched;
  }
  if (!matched) throw new UnauthorizedError('the bearer token is not valid for this route');
}
