import * as z from 'zod/mini';
import { FORGE_TYPES, parseProviderAddress } from '../forges/addresses.js';
import { parseDuration } from './duration.js';
import { ConfigError } from './errors.js';
import { templateProblem } from './template.js';
import { describeIssues } from './zod-issues.js';

export const DEFAULT_CONTEXT = '{{kind}}/{{name}}/{{cluster}}';

const SECRET_NAME =
  /^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/;

const SecretName = z
  .string()
  .check(z.regex(SECRET_NAME, 'must be a Secrets Manager secret name ([A-Za-z0-9/_+=.@-]) or ARN'));

const Template = (max: number) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => templateProblem(value) === undefined, {
      message: 'placeholders are written {{name}} with letters, digits, "_", "." or "-"',
    }),
  );

/** API Gateway throttling: requests per second, and the burst taken above that rate. */
const ThrottleSchema = z.strictObject({
  rateLimit: z.number().check(z.positive()),
  burstLimit: z.int().check(z.positive()),
});

/** From a minute to a week: the ledger keeps what it resolves for 30 days. */
const PendingTimeout = z.union([
  z.literal(false),
  z.string().check(
    z.refine(
      (text) => {
        const ms = parseDuration(text);
        return ms !== undefined && ms >= 60_000 && ms <= 7 * 24 * 3600_000;
      },
      { message: 'must be false or a duration from 1m to 168h, such as "30m" or "1h30m"' },
    ),
  ),
]);

const NonEmptyList = z.array(z.string().check(z.minLength(1))).check(z.minLength(1));

const ProviderSchema = z.strictObject({
  type: z.enum(FORGE_TYPES),
  address: z.string().check(z.minLength(1), z.maxLength(2048)),
  secret: z.optional(SecretName),
  apiUrl: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  /** Azure DevOps only: `error` (Flux's choice, the default) or `failed` for a failure. */
  failureState: z.optional(z.enum(['error', 'failed'])),
});

export const RouteSchema = z
  .strictObject({
    id: z
      .string()
      .check(
        z.regex(
          /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
          'must be 1-63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit',
        ),
      ),
    cluster: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    auth: z.strictObject({
      type: z._default(z.enum(['hmac', 'bearer']), 'hmac'),
      /** Several secrets may be valid at once, so that a key can be rotated without a gap. */
      secret: z.union([SecretName, z.array(SecretName).check(z.minLength(1), z.maxLength(5))]),
    }),
    provider: ProviderSchema,
    dryRun: z._default(z.boolean(), false),
    pending: z._default(z.boolean(), true),
    /**
     * How long a pending status waits for its verdict before the sweep writes `error` saying none
     * came (functions/pending/); false leaves it pending.
     */
    pendingTimeout: z._default(PendingTimeout, '30m'),
    context: z._default(Template(255), DEFAULT_CONTEXT),
    targetUrl: z.optional(Template(2048)),
    /**
     * This route's own throttle at API Gateway, so that a flood on one route never throttles another.
     * Read by the stack only; `deployment.throttle` when absent.
     */
    throttle: z.optional(ThrottleSchema),
    /** Refuse events older than this, to blunt replays of captured requests. Off by default. */
    maxEventAgeSeconds: z.optional(z.int().check(z.gte(60), z.lte(7 * 24 * 3600))),
    /** Refuse events stamped further ahead of this function's clock: they would outrank real ones. */
    maxClockSkewSeconds: z._default(z.int().check(z.gte(1), z.lte(3600)), 300),
    events: z.optional(
      z.strictObject({
        kinds: z.optional(NonEmptyList),
        names: z.optional(NonEmptyList),
        namespaces: z.optional(NonEmptyList),
        severities: z.optional(z.array(z.enum(['info', 'error'])).check(z.minLength(1))),
      }),
    ),
  })
  .check(
    z.superRefine((route, ctx) => {
      try {
        parseProviderAddress(route.provider.type, route.provider.address, route.provider.apiUrl);
      } catch (error) {
        ctx.issues.push({
          code: 'custom',
          input: route.provider.address,
          path: ['provider', 'address'],
          message: (error as Error).message,
        });
      }
      if (route.provider.failureState !== undefined && route.provider.type !== 'azuredevops') {
        ctx.issues.push({
          code: 'custom',
          input: route.provider.failureState,
          path: ['provider', 'failureState'],
          message: 'is only for azuredevops routes',
        });
      }
      if (!route.dryRun && route.provider.secret === undefined) {
        ctx.issues.push({
          code: 'custom',
          input: route.provider,
          path: ['provider', 'secret'],
          message: 'is required unless the route is a dryRun',
        });
      }
    }),
  );

export type Route = z.infer<typeof RouteSchema>;
export type RouteInput = z.input<typeof RouteSchema>;

/**
 * The retention periods CloudWatch Logs accepts. Checked here so that a wrong value fails `cdk synth`
 * naming the field, not the deployment; "never expire" is deliberately not offered.
 */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Settings that only the CDK stack reads; the function ignores them. */
export const DeploymentSchema = z.strictObject({
  account: z.optional(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
  region: z.optional(
    z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region like eu-west-1')),
  ),
  throttle: z._default(
    z.strictObject({
      rateLimit: z._default(z.number().check(z.positive()), 50),
      burstLimit: z._default(z.int().check(z.positive()), 100),
    }),
    { rateLimit: 50, burstLimit: 100 },
  ),
  domain: z.optional(
    z.strictObject({
      name: z.string().check(z.regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name')),
      certificateArn: z.string().check(z.regex(/^arn:aws[a-z-]*:acm:/, 'must be an ACM certificate ARN')),
    }),
  ),
  memorySize: z._default(z.int().check(z.gte(128), z.lte(10240)), 512),
  /** From 8 s: the forge gets what is left after 5 s kept for the ledger and the queue hand-off. */
  timeoutSeconds: z._default(z.int().check(z.gte(8), z.lte(29)), 12),
  reservedConcurrency: z.optional(z.int().check(z.gte(1))),
  logRetentionDays: z._default(
    z.int().check(
      z.refine((days) => LOG_RETENTION_DAYS.includes(days), {
        message: `must be one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
      }),
    ),
    30,
  ),
  alarm: z._default(
    z.strictObject({
      failedDeliveries: z._default(z.int().check(z.gte(1)), 1),
      periodMinutes: z._default(z.int().check(z.gte(1), z.lte(1440)), 5),
      /** Messages waiting in the dead-letter queue that raise its alarm. */
      deadLetters: z._default(z.int().check(z.gte(1)), 1),
      snsTopicArn: z.optional(z.string().check(z.regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN'))),
    }),
    { failedDeliveries: 1, periodMinutes: 5, deadLetters: 1 },
  ),
  createPlaceholderSecrets: z._default(z.boolean(), false),
  /** The DynamoDB delivery ledger that all containers share (dedupe and event order across the fleet). */
  ledger: z._default(z.boolean(), true),
  /** How often the pending sweep runs (functions/pending/sweep.ts); it needs the ledger. */
  pendingSweepMinutes: z._default(z.int().check(z.gte(1), z.lte(60)), 5),
  /** The SQS retry queue that keeps a delivery the forge refused to take within Flux's 15 seconds. */
  retryQueue: z._default(
    z.strictObject({
      enabled: z._default(z.boolean(), true),
      /** Attempts in all, the webhook's included, before a delivery goes to the dead-letter queue. */
      maxAttempts: z._default(z.int().check(z.gte(2), z.lte(20)), 8),
      /** IAM principal ARNs that may send to the retry queue besides the function: who redrives. */
      redrivePrincipals: z._default(
        z.array(
          z.string().check(z.regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:/, 'must be an IAM principal ARN')),
        ),
        [],
      ),
    }),
    { enabled: true, maxAttempts: 8, redrivePrincipals: [] },
  ),
});

export type Deployment = z.infer<typeof DeploymentSchema>;

export const EnvironmentConfigSchema = z
  .strictObject({
    $schema: z.optional(z.string()),
    routes: z.array(RouteSchema).check(z.minLength(1)),
    deployment: z._default(DeploymentSchema, DeploymentSchema.parse({})),
  })
  .check(
    z.superRefine(
      (config, ctx) => {
        // Read defensively: with `when`, this runs even while some routes have other faults.
        const routes: unknown[] = Array.isArray(config.routes) ? config.routes : [];
        const seen = new Set<string>();
        routes.forEach((route, index) => {
          const id = (route as { id?: unknown } | null)?.id;
          if (typeof id !== 'string') return;
          if (seen.has(id)) {
            ctx.issues.push({
              code: 'custom',
              input: id,
              path: ['routes', index, 'id'],
              message: `duplicate route id "${id}"`,
            });
          }
          seen.add(id);
        });
      },
      // Report duplicate ids together with every other fault, not after they are fixed.
      { when: () => true },
    ),
  );

export type EnvironmentConfig = z.infer<typeof EnvironmentConfigSchema>;

/** Parses a config file's text; every problem is reported with the file and the field it names. */
export function parseEnvironmentConfig(text: string, origin: string): EnvironmentConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${origin}: not valid JSON (${(error as Error).message})`);
  }
  const result = EnvironmentConfigSchema.safeParse(json);
  if (!result.success) {
    throw new ConfigError(`${origin}: ${describeIssues(result.error.issues, 10)}`);
  }
  return result.data;
}
