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
  const accepted = [Buffer.from(current, 'utf8')];
  if (typeof previous === 'string' && previous !== '') accepted.push(Buffer.from(previous, 'utf8'));
  return { current: accepted[0] as Buffer, accepted };
}
