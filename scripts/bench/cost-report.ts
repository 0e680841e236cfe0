import type { CostRun } from './cost.js';
import { type CostSide, MEMORY_SIZES } from './cost-model.js';
import { PRICES } from './prices.js';

/** The goals of the cost model: dollars on the mix, and the CPU of a re-send, each against the floor. */
export const COST_GOALS = { dollarsRatio: 1.5, repeatCpuRatio: 2 } as const;

const money = (value: number) => `$${value.toFixed(2)}`;
const fixed = (value: number, digits = 2) => value.toFixed(digits);

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (row: string[]) =>
    `  ${row.map((cell, index) => (index === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[index] ?? 0))).join('  ')}`;
  return [line(header), ...rows.map(line)];
}

/** The rows of the cost table: each config and the floor, dollars per million events by line of the bill. */
export function costRows(run: CostRun): { header: string[]; rows: string[][] } {
  const [configured, other] = MEMORY_SIZES;
  const floor = run.floor.dollars[configured].total;
  const row = (side: CostSide) => {
    const d = side.dollars[configured];
    const e = side.perEvent;
    return [
      side.name,
      money(d.total),
      side === run.floor ? '' : `${fixed(d.total / floor)}×`,
      money(d.apiGateway + d.lambdaRequests),
      `${money(d.duration)} (${fixed(e.billedMs[configured], 1)} ms)`,
      `${money(d.dynamodb)} (${fixed(e.readUnits)} R, ${fixed(e.writeUnits)} W)`,
      `${money(d.logs)} (${Math.round(e.logBytes + e.platformLogBytes + e.accessLogBytes)} B)`,
      money(d.sqs + d.secretsManager),
      money(side.dollars[other].total),
      money(side.repeat.dollars),
      `${fixed(side.repeat.cpuUs, 0)} µs`,
    ];
  };
  return {
    header: [
      'config',
      '$/M events',
      '× floor',
      'requests',
      'duration (billed/event)',
      'DynamoDB (units/event)',
      'logs (bytes/event)',
      'SQS+secrets',
      `at ${other} MB`,
      're-send $/M',
      'CPU/re-send',
    ],
    rows: [...run.configs.map(row), row(run.floor)],
  };
}

export function formatCosts(run: CostRun): string {
  const [configured] = MEMORY_SIZES;
  const floor = run.floor;
  const { header, rows } = costRows(run);
  const main = run.configs[0] as CostSide;
  const dollarsRatio = main.dollars[configured].total / floor.dollars[configured].total;
  const cpuRatio = main.repeat.cpuUs / floor.repeat.cpuUs;
  const judge = (value: number, goal: number) =>
    `${fixed(value)}× (goal ≤ ${goal}×: ${value <= goal ? 'met' : 'MISSED'})`;
  const counts = run.configs.map(
    (side) =>
      `  ${side.name}: per event ${fixed(side.perEvent.dynamodbRequests)} DynamoDB requests (${fixed(side.perEvent.strongReads)} strong reads, ${fixed(side.perEvent.eventualReads)} eventual, ${fixed(side.perEvent.conditionalFailures, 3)} failed conditions, ${fixed(side.perEvent.indexWriteUnits, 3)} index write units), ${fixed(side.perEvent.forgeReads, 3)} forge reads, ${fixed(side.perEvent.forgeWrites, 3)} writes, ${fixed(side.perEvent.logLines)} log lines of its own, ${fixed(side.perEvent.cpuUs, 0)} µs CPU; a re-send ${fixed(side.repeat.readUnits)} R + ${fixed(side.repeat.writeUnits)} W, ${Math.round(side.repeat.logBytes)} log bytes; peak RSS ${Math.round(side.maxRssMb)} MB`,
  );
  return [
    '',
    `7. What a million events cost: us-east-1 list prices of ${PRICES.date} (scripts/bench/prices.ts), arm64, ${configured} MB, 2 containers per config`,
    "   mix: 85 % re-sends of an unchanged verdict, 12 % a commit's first success, 1.5 % Progressing, 1.5 % a verdict after it",
    ...table(header, rows),
    ...counts,
    `  floor: ${fixed(floor.perEvent.forgeWrites, 3)} forge writes per event, ${fixed(floor.perEvent.cpuUs, 0)} µs CPU, peak RSS ${Math.round(floor.maxRssMb)} MB`,
    `  default config against the floor: dollars ${judge(dollarsRatio, COST_GOALS.dollarsRatio)}; CPU per re-send ${judge(cpuRatio, COST_GOALS.repeatCpuRatio)}`,
    '',
  ].join('\n');
}
