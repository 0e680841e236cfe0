/**
 * `npm run bench`: builds the Lambda bundle with the stack's esbuild settings, runs it in fresh node
 * processes against loopback fakes of GitHub and Secrets Manager, prints a table of figures beside
 * their goals and writes them to .bench/results.json. It reports; it never fails on a timing.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeGitHub } from '../test/helpers/fake-github.js';
import { FakeSecretsManager } from '../test/helpers/fake-secrets-manager.js';
import {
  expectedForgeCalls,
  type FluxStreamOptions,
  fluxStream,
  fluxStreamRoutes,
  fluxStreamSecrets,
  type StreamEventKind,
  streamApiEvent,
} from '../test/helpers/flux-stream.js';
import { buildDriver, buildHandler } from './bench/build.js';
import { killChildren, runDriver, timeNode } from './bench/processes.js';
import type { BareResult, ColdResult, StreamRun, WarmEvents, WarmResult } from './bench/protocol.js';
import { type BenchResults, formatReport, tableOf } from './bench/report.js';
import { mean, median, percentile } from './bench/stats.js';

const OUT = resolve('.bench');
const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'staging-eu-1'];
const FLEET = { kustomizations: 20, clusters: CLUSTERS };
const NEW_COMMITS_ONLY = { repeat: 0, 'new-commit': 1, error: 0, progressing: 0 };
const IMPORT_RUNS = 21;
const COLD_RUNS = 15;
const WARM_RUNS = 3;
/** Passes of the stream again, without forge I/O, per warm run: their median damps other load. */
const REPLAYS = 5;
const STREAM_EVENTS = 1000;
const CHILD_TIMEOUT_MS = 30_000;
/** The whole run; it normally takes about a minute. */
const BENCH_TIMEOUT_MS = 240_000;
/** What the stack sets on the function (infra/constructs/webhook-function.ts). */
const DEPLOYED_NODE_OPTIONS = '--enable-source-maps';

const stream = (options: Omit<FluxStreamOptions, keyof typeof FLEET>) => fluxStream({ ...FLEET, ...options });

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

/** 1. Whole processes, bare and importing the bundle, interleaved so that drift hits both alike. */
async function coldImport(env: NodeJS.ProcessEnv, empty: string, bundle: string) {
  const withMaps = { ...env, NODE_OPTIONS: DEPLOYED_NODE_OPTIONS };
  const runs = {
    bare: [] as number[],
    bundle: [] as number[],
    bareMaps: [] as number[],
    bundleMaps: [] as number[],
  };
  for (let run = 0; run < IMPORT_RUNS; run++) {
    runs.bare.push(await timeNode(empty, env, CHILD_TIMEOUT_MS));
    runs.bundle.push(await timeNode(bundle, env, CHILD_TIMEOUT_MS));
    runs.bareMaps.push(await timeNode(empty, withMaps, CHILD_TIMEOUT_MS));
    runs.bundleMaps.push(await timeNode(bundle, withMaps, CHILD_TIMEOUT_MS));
  }
  return {
    bareMs: median(runs.bare),
    withImportMs: median(runs.bundle),
    aboveBareMs: median(runs.bundle) - median(runs.bare),
    aboveBareWithSourceMapsMs: median(runs.bundleMaps) - median(runs.bareMaps),
  };
}

/** 2 and 5. A fresh process per run, each with a new commit, so that each really writes. */
async function firstRequests(env: NodeJS.ProcessEnv, driver: string, bundle: string) {
  const events = writeJson(
    'cold-events.json',
    stream({ events: COLD_RUNS, seed: 2, mix: NEW_COMMITS_ONLY }).map(streamApiEvent),
  );
  const cold: ColdResult[] = [];
  const bare: BareResult[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    bare.push(await runDriver<BareResult>([driver, 'bare'], { env, timeoutMs: CHILD_TIMEOUT_MS }));
    const args = [driver, 'cold', bundle, events, String(run)];
    cold.push(await runDriver<ColdResult>(args, { env, timeoutMs: CHILD_TIMEOUT_MS }));
  }
  const unwritten = cold.find((result) => result.outcome !== 'written');
  if (unwritten !== undefined) throw new Error(`a cold request did not write: ${JSON.stringify(unwritten)}`);
  return { cold, bare };
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
async function warmRun(run: number, fakes: Fakes, env: NodeJS.ProcessEnv, driver: string, bundle: string) {
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
    env,
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
  importFigures: Awaited<ReturnType<typeof coldImport>>,
  { cold, bare }: Awaited<ReturnType<typeof firstRequests>>,
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
      node: process.version,
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

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0] ?? 0;
  const fakes: Fakes = {
    github: await new FakeGitHub().start(),
    secretsManager: await new FakeSecretsManager().start(),
  };
  try {
    for (const [name, value] of fluxStreamSecrets(CLUSTERS)) fakes.secretsManager.secrets.set(name, value);
    const env = childEnv(fakes.secretsManager.server.url);
    const bundle = await buildHandler(join(OUT, 'handler'), fluxStreamRoutes(fakes.github.url, CLUSTERS));
    const driver = await buildDriver(OUT);
    const empty = join(OUT, 'empty.mjs');
    writeFileSync(empty, '');

    const importFigures = await coldImport(env, empty, bundle.file);
    const first = await firstRequests(env, driver, bundle.file);
    const warmRuns: WarmRun[] = [];
    for (let run = 0; run < WARM_RUNS; run++) {
      warmRuns.push(await warmRun(run, fakes, env, driver, bundle.file));
    }
    // Every figure of 3–5 comes from one run, the one of median throughput.
    const byWall = [...warmRuns].sort((a, b) => a.result.stream.wallMs - b.result.stream.wallMs);
    const typical = byWall[Math.floor(byWall.length / 2)] as WarmRun;

    const figures = results(importFigures, first, typical, bundle, {
      start: loadAtStart,
      end: loadavg()[0] ?? 0,
    });
    writeJson('results.json', { ...figures, table: tableOf(figures) });
    process.stdout.write(formatReport(figures));
  } finally {
    await Promise.all([fakes.github.stop(), fakes.secretsManager.stop()]);
  }
}

const limit = setTimeout(() => {
  process.stderr.write(`bench: still running after ${BENCH_TIMEOUT_MS / 1000} s; stopping\n`);
  killChildren();
  process.exit(1);
}, BENCH_TIMEOUT_MS);
limit.unref();

await main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error)?.stack ?? error}\n`);
  process.exitCode = 1;
});
