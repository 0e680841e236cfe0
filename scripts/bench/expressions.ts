import type { RouteInput } from '../../functions/config/route-schema.js';
import { buildHandler } from './build.js';
import { timeNode } from './processes.js';
import { median } from './stats.js';

/** Flux's documented example, on every route: the CEL evaluator is imported and compiled at start. */
const EXPR = "'flux/' + event.involvedObject.name + '/' + provider.metadata.uid.split('-').first().value()";

export interface ExpressionFigures {
  runs: number;
  /** A process importing the bundle whose routes have no expression (the usual case). */
  withoutMs: number;
  /** The same routes, each with a commitStatusExpr: the CEL chunk is imported and each expression compiled. */
  withMs: number;
  aboveWithoutMs: number;
}

/**
 * The cold-start cost of `commitStatusExpr`: whole processes importing the two bundles, interleaved
 * so that drift hits both alike. Only a config with an expression pays it.
 */
export async function expressionCost(
  node: string,
  env: NodeJS.ProcessEnv,
  outDir: string,
  routes: RouteInput[],
  without: string,
  runs: number,
  timeoutMs: number,
): Promise<ExpressionFigures> {
  const withExpr = routes.map((route) => ({
    ...route,
    commitStatusExpr: EXPR,
    provider: { ...route.provider, metadata: { uid: '0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a' } },
  }));
  const built = await buildHandler(outDir, withExpr);
  const times = { without: [] as number[], with: [] as number[] };
  for (let run = 0; run < runs; run++) {
    times.without.push(await timeNode(node, without, env, timeoutMs));
    times.with.push(await timeNode(node, built.file, env, timeoutMs));
  }
  return {
    runs,
    withoutMs: median(times.without),
    withMs: median(times.with),
    aboveWithoutMs: median(times.with) - median(times.without),
  };
}

export function formatExpressionCost(figures: ExpressionFigures): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  return (
    `\ncommitStatusExpr on the cold start (median of ${figures.runs} processes each):\n` +
    `  import without expressions ${ms(figures.withoutMs)}, with one on every route ${ms(figures.withMs)}: ` +
    `${ms(figures.aboveWithoutMs)} more, paid only by a config that has one\n`
  );
}
