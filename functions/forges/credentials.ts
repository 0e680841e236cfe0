import { RouteMisconfiguredError } from '../core/errors.js';
import type { ForgeCredentials } from './forge.js';

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** The secret's `token`; a secret without one is the route's fault, said before any forge call. */
export function requireToken(credentials: ForgeCredentials, where: string): string {
  if (credentials.token === undefined || credentials.token === '') {
    throw new RouteMisconfiguredError(`the secret for ${where} has no "token"`);
  }
  return credentials.token;
}

/** Basic from `username` and `password` when the secret has both, as Flux's Bitbucket providers read it. */
export function basicFromUsernamePassword(credentials: ForgeCredentials): string | undefined {
  const { username, password } = credentials;
  if (username === undefined || username === '' || password === undefined || password === '')
    return undefined;
  return basicAuthorization(username, password);
}
