import * as z from 'zod/mini';
import { ConfigError } from '../core/errors.js';
import { describeIssues } from '../core/zod-issues.js';
import { SecretName } from './config-fields.js';
import { DeploymentSchema } from './deployment-schema.js';
import { environmentIssues, FleetEnvironmentsSchema } from './fleet-environments.js';
import { RouteSchema, ThrottleSchema } from './route-schema.js';

/** The details pages of an environment: the key their links are signed with, and where they are served. */
export const DetailsPageSchema = z.strictObject({
  /** The Secrets Manager secret of the page key: `{"token": "<key>", "previous": "<the key before>"}`. */
  secret: SecretName,
  /** The service's public origin, when it is not the API's own URL or domain (a CDN in front). */
  baseUrl: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^https?:\/\/[^/?#\s]+(?:\/[^?#\s]*[^/?#\s])?$/,
          'must be an http(s) URL without a trailing "/", query or fragment',
        ),
      ),
  ),
  /** The API Gateway throttle of `GET /details/{token}`, apart from every webhook route's. */
  throttle: z._default(ThrottleSchema, { rateLimit: 10, burstLimit: 20 }),
});

export type DetailsPageSettings = z.infer<typeof DetailsPageSchema>;

export const EnvironmentConfigSchema = z
  .strictObject({
    $schema: z.optional(z.string()),
    routes: z.array(RouteSchema).check(z.minLength(1)),
    /** Fleet environments: groups of routes (clusters) with one roll-up status each (see README). */
    environments: z._default(FleetEnvironmentsSchema, {}),
    deployment: z._default(DeploymentSchema, DeploymentSchema.parse({})),
    detailsPage: z.optional(DetailsPageSchema),
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
          if ((route as { detailsPage?: unknown }).detailsPage !== true) return;
          if (config.detailsPage === undefined) {
            ctx.issues.push({
              code: 'custom',
              input: true,
              path: ['routes', index, 'detailsPage'],
              message: 'needs the environment\'s "detailsPage": {"secret": "<the page key\'s secret>"}',
            });
          }
          if (config.deployment?.ledger === false) {
            ctx.issues.push({
              code: 'custom',
              input: false,
              path: ['deployment', 'ledger'],
              message: `must be true while route "${id}" has detailsPage: the pages are kept in the ledger's table`,
            });
          }
        });
        const environments = config.environments;
        if (environments === null || typeof environments !== 'object') return;
        for (const issue of environmentIssues(routes, environments)) {
          ctx.issues.push({ code: 'custom', input: config, ...issue });
        }
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
