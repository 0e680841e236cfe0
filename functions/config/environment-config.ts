import * as z from 'zod/mini';
import { ConfigError } from '../core/errors.js';
import { describeIssues } from '../core/zod-issues.js';
import { environmentIssues, FleetEnvironmentsSchema } from '../environments/environments-config.js';
import { DeploymentSchema } from './deployment-schema.js';
import { RouteSchema } from './route-schema.js';

export const EnvironmentConfigSchema = z
  .strictObject({
    $schema: z.optional(z.string()),
    routes: z.array(RouteSchema).check(z.minLength(1)),
    /** Fleet environments: groups of routes (clusters) with one roll-up status each (see README). */
    environments: z._default(FleetEnvironmentsSchema, {}),
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
