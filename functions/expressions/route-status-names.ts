import type { EnvironmentConfig } from '../config/environment-config.js';
import type { ConfigIssue, FleetEnvironment } from '../config/fleet-environments.js';
import type { Route } from '../config/route-schema.js';
import { ConfigError } from '../core/errors.js';
import type { StatusName } from '../core/status-rules.js';
import type { RollupStatusName } from './rollup-status-expr.js';

/*
 * The CEL evaluator is imported only when a route or an environment has an expression, so that a
 * deployment without one never pays for it on a cold start (see the bench's "commitStatusExpr" row).
 */

const compiled = new WeakMap<Route, StatusName>();
const compiledRollups = new WeakMap<FleetEnvironment, RollupStatusName>();

async function compile(route: Route, source: string): Promise<StatusName> {
  const known = compiled.get(route);
  if (known !== undefined) return known;
  const { compileCommitStatusExpr } = await import('./commit-status-expr.js');
  const name = compileCommitStatusExpr(route, source);
  compiled.set(route, name);
  return name;
}

async function compileRollup(
  name: string,
  environment: FleetEnvironment,
  route: Route,
  source: string,
): Promise<RollupStatusName> {
  const known = compiledRollups.get(environment);
  if (known !== undefined) return known;
  const { compileRollupStatusExpr } = await import('./rollup-status-expr.js');
  const namer = compileRollupStatusExpr(name, environment, route, source);
  compiledRollups.set(environment, namer);
  return namer;
}

/** The route's status namer when it has a `commitStatusExpr`; undefined for its `context` template. */
export function statusNameOf(route: Route): Promise<StatusName> | undefined {
  const { commitStatusExpr } = route;
  return commitStatusExpr === undefined ? undefined : compile(route, commitStatusExpr);
}

/**
 * The environment's roll-up namer when it has a `commitStatusExpr`; undefined for its `context`
 * template. `route` is one of its routes: they all name the environment's one repository.
 */
export function rollupStatusNameOf(
  name: string,
  environment: FleetEnvironment,
  route: Route,
): Promise<RollupStatusName> | undefined {
  const { commitStatusExpr } = environment;
  return commitStatusExpr === undefined
    ? undefined
    : compileRollup(name, environment, route, commitStatusExpr);
}

/**
 * Compiles every route's and environment's expression once, and checks that no status name an
 * expression gives can be another's (fleet-environments.ts reads only the templates): each problem
 * at the field to change, with the position in the expression.
 */
export async function expressionIssues(
  config: Pick<EnvironmentConfig, 'routes' | 'environments'>,
): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  for (const [index, route] of config.routes.entries()) {
    const { commitStatusExpr } = route;
    if (commitStatusExpr === undefined) continue;
    try {
      await compile(route, commitStatusExpr);
    } catch (error) {
      issues.push({ path: ['routes', index, 'commitStatusExpr'], message: (error as Error).message });
    }
  }
  const environments = Object.entries(config.environments);
  for (const [name, environment] of environments) {
    const member = config.routes.find((route) => route.environment === name);
    if (environment.commitStatusExpr === undefined || member === undefined) continue;
    try {
      await compileRollup(name, environment, member, environment.commitStatusExpr);
    } catch (error) {
      issues.push({ path: ['environments', name, 'commitStatusExpr'], message: (error as Error).message });
    }
  }
  const anyExpression =
    config.routes.some((route) => route.commitStatusExpr !== undefined) ||
    environments.some(([, environment]) => environment.commitStatusExpr !== undefined);
  if (issues.length === 0 && anyExpression && environments.length > 0) {
    const { expressionOverlapIssues } = await import('./expression-overlap.js');
    issues.push(...expressionOverlapIssues(config.routes, config.environments));
  }
  return issues;
}

/** `expressionIssues` at a start: any stops it, naming the file, the field and the route. */
export async function checkConfigExpressions(
  config: Pick<EnvironmentConfig, 'routes' | 'environments'>,
  origin: string,
): Promise<void> {
  const issues = await expressionIssues(config);
  if (issues.length === 0) return;
  const shown = issues.map(({ path, message }) => {
    const [first, index, ...rest] = path;
    if (first !== 'routes') return `${path.join('.')}: ${message}`;
    const id = config.routes[index as number]?.id;
    return `routes[${String(index)}].${rest.join('.')} (route "${id}"): ${message}`;
  });
  throw new ConfigError(`${origin}: ${shown.join('; ')}`);
}
