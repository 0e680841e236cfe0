import { createHash } from 'node:crypto';

/**
 * A status key for the Bitbuckets: the hex SHA-1 of the context, as Flux computes it, so that any
 * context fits Bitbucket Cloud's 40 characters and a relay takes over Flux's own statuses.
 */
export function statusKey(context: string): string {
  return createHash('sha1').update(context, 'utf8').digest('hex');
}
