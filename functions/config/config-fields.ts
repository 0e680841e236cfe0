import * as z from 'zod/mini';

const SECRET_NAME =
  /^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/;

/** A Secrets Manager secret, by name or ARN; the stack grants reading exactly the ones named. */
export const SecretName = z
  .string()
  .check(z.regex(SECRET_NAME, 'must be a Secrets Manager secret name ([A-Za-z0-9/_+=.@-]) or ARN'));
