import * as z from 'zod/mini';
import { templateProblem } from './template.js';

const SECRET_NAME =
  /^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/;

/** A Secrets Manager secret, by name or ARN; the stack grants reading exactly the ones named. */
export const SecretName = z
  .string()
  .check(z.regex(SECRET_NAME, 'must be a Secrets Manager secret name ([A-Za-z0-9/_+=.@-]) or ARN'));

/** A `{{name}}` template of at most `max` characters (see `template.ts`). */
export const Template = (max: number) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => templateProblem(value) === undefined, {
      message: 'placeholders are written {{name}} with letters, digits, "_", "." or "-"',
    }),
  );

export const NonEmptyList = z.array(z.string().check(z.minLength(1))).check(z.minLength(1));
