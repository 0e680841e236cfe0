import { type ExpressionFigures, formatExpressionCost } from './expressions.js';
import { type FleetFigures, formatFleet } from './fleet.js';
import { type BenchResults, type Comparison, formatComparison, formatReport } from './report.js';

/**
 * The figures of the last `npm run bench` that the docs quote, committed beside them: the bench
 * writes this file and the block of docs/performance.md between the markers, and a test holds the
 * block to the file, so that no figure in the docs is an exact value that no run produced.
 */
export const BENCH_FIGURES_FILE = 'docs/bench-figures.json';
export const PERFORMANCE_DOC = 'docs/performance.md';
const START = '<!-- bench figures: written by npm run bench from docs/bench-figures.json; do not edit -->';
const END = '<!-- end of bench figures -->';

export interface BenchFigures {
  results: BenchResults;
  floor: { bundle: { bytes: number; entryBytes: number }; comparisons: Comparison[]; note?: string };
  /** The cold-start cost of commitStatusExpr; absent in a file written before the bench measured it. */
  expressions?: ExpressionFigures;
  fleet: FleetFigures[];
}

/** Exactly what the bench printed on stdout for these figures. */
export function renderFigures(figures: BenchFigures): string {
  return [
    formatReport(figures.results),
    formatComparison(figures.floor.comparisons, figures.floor.bundle, figures.floor.note),
    figures.expressions === undefined ? '' : formatExpressionCost(figures.expressions),
    formatFleet(figures.fleet),
  ].join('');
}

function block(figures: BenchFigures): string {
  return `${START}\n\n\`\`\`text\n${renderFigures(figures).trimEnd()}\n\`\`\`\n\n${END}`;
}

/** The doc's figures block as it stands, or undefined when the doc has none. */
export function figuresBlockOf(doc: string): string | undefined {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  return start === -1 || end < start ? undefined : doc.slice(start, end + END.length);
}

/** The doc with its figures block written from these figures. */
export function withFigures(doc: string, figures: BenchFigures): string {
  const current = figuresBlockOf(doc);
  if (current === undefined) throw new Error(`${PERFORMANCE_DOC} has no "${START}" … "${END}" block`);
  return doc.replace(current, block(figures));
}

/** The block these figures make, to compare with the doc's. */
export function expectedBlock(figures: BenchFigures): string {
  return block(figures);
}
