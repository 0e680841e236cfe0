import { RouteMisconfiguredError } from '../core/errors.js';
import type { SecretValue } from '../secrets/secret-source.js';
import type { ForgeCredentials, GitHubAppCredentials } from './forge.js';

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * The secret's `token`; a secret without one is the route's fault, said before any forge call.
 * `alternatives` names what else the forge would have taken.
 */
export function requireToken(credentials: ForgeCredentials, where: string, alternatives = ''): string {
  if (credentials.token === undefined || credentials.token === '') {
    throw new RouteMisconfiguredError(`the secret for ${where} has no "token"${alternatives}`);
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

function text(value: string | number | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  return String(value).trim();
}

function githubAppOf(secret: SecretValue): GitHubAppCredentials | undefined {
  const appId = text(secret.githubAppID);
  const privateKey = secret.githubAppPrivateKey;
  const installationId = text(secret.githubAppInstallationID);
  const installationOwner = text(secret.githubAppInstallationOwner);
  const baseUrl = text(secret.githubAppBaseURL);
  if (appId === undefined && privateKey === undefined) return undefined;
  if (appId === undefined || privateKey === undefined || privateKey === '') {
    throw new RouteMisconfiguredError(
      `a GitHub App secret needs both githubAppID and githubAppPrivateKey; it has only ${appId === undefined ? 'githubAppPrivateKey' : 'githubAppID'}`,
    );
  }
  if (installationId !== undefined && !/^\d+$/.test(installationId)) {
    throw new RouteMisconfiguredError('githubAppInstallationID must be a number');
  }
  return {
    appId,
    privateKey,
    ...(installationId === undefined ? {} : { installationId }),
    ...(installationOwner === undefined ? {} : { installationOwner }),
    ...(baseUrl === undefined ? {} : { baseUrl: baseUrl.replace(/\/+$/, '') }),
  };
}

/**
 * A secret, laid out as Flux's provider secrets are, as the forge modules read it. A `token` wins
 * over App keys, as in Flux, so the App keys are then not even checked.
 */
export function credentialsFromSecret(secret: SecretValue): ForgeCredentials {
  const credentials: ForgeCredentials = {};
  if (secret.token !== undefined) credentials.token = secret.token;
  if (secret.username !== undefined) credentials.username = secret.username;
  if (secret.password !== undefined) credentials.password = secret.password;
  if (secret['ca.crt'] !== undefined) credentials.caCert = secret['ca.crt'];
  if (credentials.token === undefined || credentials.token === '') {
    const githubApp = githubAppOf(secret);
    if (githubApp !== undefined) credentials.githubApp = githubApp;
  }
  return credentials;
}

/** The values of a secret that must never be seen in a log line, an answer or an error. */
export function sensitiveValuesOf(secret: SecretValue): string[] {
  const key = secret.githubAppPrivateKey;
  // Each line of the key too, so that a message quoting part of it gives nothing away.
  const keyLines =
    key === undefined ? [] : key.split(/\r?\n|\\n/).filter((line) => !line.startsWith('-----'));
  const values = [secret.token, secret.password, key, ...keyLines];
  return values.filter((value): value is string => value !== undefined && value.trim() !== '');
}
