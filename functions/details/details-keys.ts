import { RouteMisconfiguredError } from '../core/errors.js';
import type { SecretSource } from '../secrets/secret-source.js';

export interface DetailsKeySet {
  /** Signs every new link. */
  current: Buffer;
  /** Still accepted: the links written before the last rotation keep working until the next one. */
  accepted: Buffer[];
}

/**
 * The page key, read through the delivery's (or the request's) secret scope so that it is scrubbed
 * from whatever is said. The secret holds `{"token": "<key>", "previous": "<the key before>"}`: a
 * rotation moves `token` to `previous` and puts a new `token`, so links live for one rotation.
 */
export async function detailsKeys(secretName: string, secrets: SecretSource): Promise<DetailsKeySet> {
  const value = await secrets.get(secretName);
  const current = value.token;
  if (current === undefined || current === '') {
    throw new RouteMisconfiguredError(`the details page secret "${secretName}" has no "token"`);
  }
  const previous = (value as { previous?: unknown }).previous;
  const accepted = [keyOf(current, secretName, 'token')];
  // A previous key too short to trust is not accepted, rather than refused: rotating away from a
  // weak key puts it there, and refusing it would stop every delivery that links a page.
  if (typeof previous === 'string' && Buffer.byteLength(previous, 'utf8') >= MIN_DETAILS_KEY_BYTES) {
    accepted.push(Buffer.from(previous, 'utf8'));
  }
  return { current: accepted[0] as Buffer, accepted };
}

/** An HMAC-SHA256 key is as strong as its bytes: 32 at least (`openssl rand -base64 32` gives 44). */
export const MIN_DETAILS_KEY_BYTES = 32;

function keyOf(text: string, secretName: string, field: 'token'): Buffer {
  const key = Buffer.from(text, 'utf8');
  if (key.length < MIN_DETAILS_KEY_BYTES) {
    throw new RouteMisconfiguredError(
      `the details page secret "${secretName}": "${field}" has ${key.length} bytes; at least ${MIN_DETAILS_KEY_BYTES} are needed`,
    );
  }
  return key;
}
