import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A details link's token: `<id>.<mac>`. The id names the stored record and is a plain hash of the
 * status identity, which is no secret (the forge shows repository, commit and context); the mac is
 * an HMAC of the id under the page key, so that only this service can make a link, nobody can reach
 * a page by trying identities or ids, and a forged token is refused before anything is read.
 */
const ID_LENGTH = 22;
const MAC_LENGTH = 43;
const TOKEN = new RegExp(`^([A-Za-z0-9_-]{${ID_LENGTH}})\\.([A-Za-z0-9_-]{${MAC_LENGTH}})$`);

export interface DetailsToken {
  id: string;
  mac: string;
}

export function detailsId(identity: string): string {
  return createHash('sha256')
    .update(`flux-commit-status details id\n${identity}`)
    .digest('base64url')
    .slice(0, ID_LENGTH);
}

function macOf(key: Buffer, id: string): string {
  return createHmac('sha256', key).update(`flux-commit-status details link\n${id}`).digest('base64url');
}

export function detailsToken(key: Buffer, identity: string): string {
  const id = detailsId(identity);
  return `${id}.${macOf(key, id)}`;
}

/** The token's parts, or `undefined` for anything that is not exactly a token (cut, padded, altered). */
export function parseDetailsToken(text: string): DetailsToken | undefined {
  const match = TOKEN.exec(text);
  return match === null ? undefined : { id: match[1] as string, mac: match[2] as string };
}

/** Whether the token was made under one of the keys (the current or the previous): no record needed. */
export function tokenMatches(token: DetailsToken, keys: readonly Buffer[]): boolean {
  const given = Buffer.from(token.mac, 'utf8');
  let matched = false;
  // Every key is tried, so the time taken does not say which one matched.
  for (const key of keys) {
    matched = timingSafeEqual(Buffer.from(macOf(key, token.id), 'utf8'), given) || matched;
  }
  return matched;
}
