import type { Route } from '../config/route-schema.js';
import { ConfigError } from '../core/errors.js';
import type { StatusName } from '../core/status-rules.js';

/*
 * The CEL evaluator is imported only when a route has an expression, so that a deployment without
 * one never pays for it on a cold start (see the bench's "commitStatusExpr" row).
 */

const compiled = new WeakMap<Route, StatusName>();

async function compile(route: Route, source: string): Promise<StatusName> {
  const known = compiled.get(route);
  if (known !== undefined) return known;
  const { compileCommitStatusExpr } = await import('./commit-status-expr.js');
  const name = compileCommitStatusExpr(route, source);
  compiled.set(route, name);
  return name;
}

/** The route's status namer when it has a `commitStatusExpr`; undefined for its `context` template. */
export function statusNameOf(route: Route): Promise<StatusName> | undefined {
  const { commitStatusExpr } = route;
  return commitStatusExpr === undefined ? undefined : compile(route, commitStatusExpr);
}

/**
 * Compiles every route's expression once, at load: an expression that does not compile stops the
 * start with the route, the field and the position, as Flux refuses such a Provider.
 */
export async function checkRouteExpressions(routes: readonly Route[], origin: string): Promise<void> {
  const problems: string[] = [];
  for (const [index, route] of routes.entries()) {
    const { commitStatusExpr } = route;
    if (commitStatusExpr === undefined) continue;
    try {
      await compile(route, commitStatusExpr);
    } catch (error) {
      problems.push(`routes[${index}].commitStatusExpr (route "${route.id}"): ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`${origin}: ${problems.join('; ')}`);
}
