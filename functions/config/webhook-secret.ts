import * as z from 'zod/mini';
import { NAMING_KEYS } from '../secrets/secret-source.js';
import { SecretName } from './config-fields.js';

/**
 * Where a route's webhook key is kept: a secret of its own, whose `token` is the key (as Flux's own
 * provider secrets), or one key of a secret that many routes share, `{"secret": "…", "key": "…"}`:
 * a JSON object of keys by name, such as `{"prod-eu-1": "…", "prod-us-1": "…"}`. A fleet then pays
 * for one secret instead of one per cluster, and each cluster still has a key of its own to revoke.
 */
export const WebhookSecretSchema = z.union([
  SecretName,
  z.strictObject({
    secret: SecretName,
    key: z.string().check(
      z.regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" and "-"'),
      // Flux's names for what is no secret: a key kept under one would not be scrubbed from logs.
      z.refine((key) => !NAMING_KEYS.has(key), {
        message: 'must not be a name that Flux gives to what is no secret (username, ca.crt, githubApp…)',
      }),
    ),
  }),
]);
export type WebhookSecret = z.infer<typeof WebhookSecretSchema>;

/** One webhook key: the secret that holds it, and its name inside (`token` for a secret of its own). */
export interface WebhookKeyRef {
  secret: string;
  key: string;
}

/** A route's webhook keys in config order: several during a rotation. */
export function webhookKeyRefs(secret: WebhookSecret | readonly WebhookSecret[]): WebhookKeyRef[] {
  const listed: readonly WebhookSecret[] = Array.isArray(secret) ? secret : [secret as WebhookSecret];
  return listed.map((entry) => (typeof entry === 'string' ? { secret: entry, key: 'token' } : entry));
}

/** How logs and findings name a key: the secret alone when it holds one key, as before. */
export function describeKeyRef(ref: WebhookKeyRef): string {
  return ref.key === 'token' ? `secret "${ref.secret}"` : `key "${ref.key}" of secret "${ref.secret}"`;
}
