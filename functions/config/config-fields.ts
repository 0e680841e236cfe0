import * as z from 'zod/mini';

const SECRET_NAME =
  /^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/;

/** A Secrets Manager secret, by name or ARN; the stack grants reading exactly the ones named. */
export const SecretName = z
  .string()
  .check(z.regex(SECRET_NAME, 'must be a Secrets Manager secret name ([A-Za-z0-9/_+=.@-]) or ARN'));

/** A Kubernetes object's identity, as `commitStatusExpr` reads it (`provider.metadata.uid`). */
export const ObjectMetadataSchema = z.strictObject({
  name: z.optional(z.string().check(z.minLength(1), z.maxLength(253))),
  namespace: z.optional(z.string().check(z.minLength(1), z.maxLength(63))),
  uid: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});
