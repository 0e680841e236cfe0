import * as z from 'zod/mini';
import { RouteMisconfiguredError } from '../core/errors.js';

/**
 * A secret laid out like Flux's provider secrets, so teams can copy theirs across: `token`, or
 * `username` and `password`, `githubApp*` for a GitHub App, and `ca.crt` for a forge behind a
 * private CA. Other keys are ignored.
 */
export const SecretValueSchema = z.looseObject({
  token: z.optional(z.string()),
  username: z.optional(z.string()),
  password: z.optional(z.string()),
  'ca.crt': z.optional(z.string()),
  // Flux's GitHub App keys. The ids may arrive as JSON numbers when the secret is written by hand.
  githubAppID: z.optional(z.union([z.string(), z.number()])),
  githubAppInstallationID: z.optional(z.union([z.string(), z.number()])),
  githubAppInstallationOwner: z.optional(z.string()),
  githubAppPrivateKey: z.optional(z.string()),
  githubAppBaseURL: z.optional(z.string()),
});

export type SecretValue = z.infer<typeof SecretValueSchema>;

/** Keys of a provider secret that name things rather than prove them: never scrubbed as secrets. */
export const NAMING_KEYS: ReadonlySet<string> = new Set([
  'username',
  'ca.crt',
  'githubAppID',
  'githubAppInstallationID',
  'githubAppInstallationOwner',
  'githubAppBaseURL',
]);

export interface SecretSource {
  /** The secret's value, cached; `fresh` skips the cache, as after a forge's 401 during a rotation. */
  get(name: string, options?: { fresh?: boolean }): Promise<SecretValue>;
}

/** A secret string is JSON as Flux lays it out; a bare string is taken as the `token`. */
export function parseSecretString(name: string, text: string): SecretValue {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return { token: text };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    // The parser's message would quote the secret's text.
    throw new RouteMisconfiguredError(`secret "${name}" looks like JSON but does not parse`);
  }
  const result = SecretValueSchema.safeParse(json);
  if (!result.success) {
    throw new RouteMisconfiguredError(
      `secret "${name}" must be a JSON object of strings (token, username, password, githubApp…)`,
    );
  }
  return result.data;
}
