import * as z from 'zod/mini';

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
