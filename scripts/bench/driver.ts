/**
 * Runs in a fresh `node` process, as a Lambda container would: imports the built handler and calls
 * it. CPU comes from process.cpuUsage(), memory from resourceUsage().maxRSS; results go back to the
 * bench over the IPC channel. esbuild bundles this file on its own, so no TypeScript loader runs here.
 *
 *   node driver.mjs bare                                   the process alone, for reference
 *   node driver.mjs cold <bundle> <events.json> <index>    import, then one request
 *   node driver.mjs warm <bundle> <events.json> <replays>  import, warm-up, the measured stream, replays
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Checkpoint, ColdResult, DriverResult, StreamRun, WarmEvents, WarmResult } from './protocol.js';

type Handler = (event: APIGatewayProxyEventV2) => Promise<{ statusCode: number; body: string }>;

const cpuMs = (since?: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
const outcomeOf = (body: string) => (JSON.parse(body) as { outcome?: string }).outcome ?? 'none';

async function importHandler(bundle: string) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };
  return { handler, importMs: performance.now() - started, importCpuMs: cpuMs(cpu) };
}

async function cold(bundle: string, events: APIGatewayProxyEventV2[], index: number): Promise<ColdResult> {
  const event = events[index];
  if (event === undefined) throw new Error(`no event ${index} in the events file`);
  const { handler, importMs, importCpuMs } = await importHandler(bundle);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const response = await handler(event);
  return {
    mode: 'cold',
    importMs,
    importCpuMs,
    requestMs: performance.now() - started,
    requestCpuMs: cpuMs(cpu),
    statusCode: response.statusCode,
    outcome: outcomeOf(response.body),
    maxRssMb: maxRssMb(),
  };
}

/** Tells the parent where the driver is, so that it can read the fakes' counters, and waits for it. */
async function checkpoint(name: Checkpoint): Promise<void> {
  process.send?.({ mode: 'checkpoint', name });
  await once(process, 'message');
}

/** Sends the events one at a time, as Lambda hands them to one container. */
async function send(handler: Handler, events: WarmEvents['stream']): Promise<StreamRun> {
  const run: StreamRun = { wallMs: 0, cpuMs: 0, latencyMs: [], cpuUs: [], outcomes: [] };
  const totalCpu = process.cpuUsage();
  const started = performance.now();
  for (const { event } of events) {
    const cpu = process.cpuUsage();
    const begun = performance.now();
    const response = await handler(event);
    run.latencyMs.push(performance.now() - begun);
    const used = process.cpuUsage(cpu);
    run.cpuUs.push(used.user + used.system);
    run.outcomes.push(outcomeOf(response.body));
  }
  run.wallMs = performance.now() - started;
  run.cpuMs = cpuMs(totalCpu);
  return run;
}

async function warm(bundle: string, events: WarmEvents, replays: number): Promise<WarmResult> {
  const { handler } = await importHandler(bundle);
  for (const event of events.warmUp) await handler(event);
  await checkpoint('warmed-up');
  const stream = await send(handler, events.stream);
  await checkpoint('streamed');
  // The same events again: every status is now known, so this is the handler without forge I/O.
  const replay: StreamRun[] = [];
  for (let pass = 0; pass < replays; pass++) replay.push(await send(handler, events.stream));
  return { mode: 'warm', stream, replay, maxRssMb: maxRssMb() };
}

async function run(): Promise<DriverResult> {
  const [mode, bundle = '', eventsFile = '', count = '0'] = process.argv.slice(2);
  if (mode === 'bare') return { mode: 'bare', bootCpuMs: cpuMs(), maxRssMb: maxRssMb() };
  const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
  if (mode === 'cold') return cold(bundle, events, Number(count));
  if (mode === 'warm') return warm(bundle, events, Number(count));
  throw new Error(`unknown mode ${mode}`);
}

// Exit at once: keep-alive sockets to the fakes would otherwise hold the process for seconds.
run().then(
  (result) => process.send?.(result, () => process.exit(0)),
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  },
);
