/**
 * The fleet stream of `npm run bench`: 50 clusters in 2 fleet environments, 20 Kustomizations each,
 * a new commit every 5 minutes, each object Progressing then reconciled (a few fail first and
 * recover), and Flux's re-send of each verdict 5 minutes later. It runs the relay in this process
 * against a stateful fake GitHub and counts forge calls, beside what Flux's own per-cluster GitHub
 * providers would make on the same stream. Counts only; no timing.
 */
import { pathToFileURL } from 'node:url';
import { parseEnvironmentConfig } from '../../functions/config/environment-config.js';
import { parseFluxEvent } from '../../functions/core/flux-event.js';
import { describe } from '../../functions/core/status-rules.js';
import { advance, type ClusterVerdict, rollupOf } from '../../functions/fleet/rollup.js';
import { eventOrder } from '../../functions/ledger/status-ledger.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { createRelay } from '../../functions/webhook/relay.js';
import { FakeGitHub } from '../../test/fakes/fake-github.js';
import { eventOf, FIXTURES, MemorySecrets, sign, WEBHOOK_KEY } from '../../test/harness/flux-fixtures.js';
import { apiEvent } from '../../test/harness/relay-harness.js';

const ENVIRONMENTS = ['production', 'staging'] as const;
const CLUSTERS_PER_ENVIRONMENT = 25;
const KUSTOMIZATIONS = 20;
const COMMITS = 3;
/** Commits pushed with each deployed one that Flux never reconciles on their own (functions/ranges/). */
const CARRIED_PER_COMMIT = 2;
const COMMIT_EVERY_S = 300;
const FAILING_FIRST = 0.03;
/** Flux drops identical events for 5 minutes; a verdict's re-send comes after that. */
const RESEND_AFTER_S = 300;

interface FleetEvent {
  at: number;
  cluster: string;
  environment: string;
  name: string;
  sha: string;
  verdict: 'pending' | 'success' | 'failure';
  resend: boolean;
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const clustersOf = (environment: string) =>
  Array.from(
    { length: CLUSTERS_PER_ENVIRONMENT },
    (_, index) => `${environment}-${String(index + 1).padStart(2, '0')}`,
  );

export function fleetStream(seed: number): FleetEvent[] {
  const next = random(seed);
  const events: FleetEvent[] = [];
  for (let commit = 0; commit < COMMITS; commit++) {
    const sha = Array.from({ length: 40 }, () => Math.floor(next() * 16).toString(16)).join('');
    const start = commit * COMMIT_EVERY_S;
    for (const environment of ENVIRONMENTS) {
      for (const cluster of clustersOf(environment)) {
        for (let index = 0; index < KUSTOMIZATIONS; index++) {
          const name = `apps-${String(index + 1).padStart(2, '0')}`;
          const base = { cluster, environment, name, sha, resend: false };
          const progressing = start + Math.floor(next() * 60);
          let verdictAt = progressing + 30 + Math.floor(next() * 120);
          events.push({ ...base, at: progressing, verdict: 'pending' });
          if (next() < FAILING_FIRST) {
            events.push({ ...base, at: verdictAt, verdict: 'failure' });
            verdictAt += 60;
          }
          events.push({ ...base, at: verdictAt, verdict: 'success' });
          events.push({ ...base, at: verdictAt + RESEND_AFTER_S, verdict: 'success', resend: true });
        }
      }
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

/** Flux's GitHub provider: Progressing skipped; every other event reads the statuses, then writes a change. */
function fluxProviders(events: readonly FleetEvent[]) {
  const shown = new Map<string, string>();
  let calls = 0;
  let writes = 0;
  for (const event of events) {
    if (event.verdict === 'pending') continue;
    calls++;
    const identity = `${event.sha} ${event.cluster} ${event.name}`;
    if (shown.get(identity) === event.verdict) continue;
    shown.set(identity, event.verdict);
    calls++;
    writes++;
  }
  return { calls, writes };
}

/**
 * How often each roll-up changes as the stream arrives, computed apart from the relay: the writes
 * it needs at least, and, if it writes only changes, at most.
 */
function rollupChanges(events: readonly FleetEvent[], bodies: readonly string[], counts: boolean): number {
  const records = new Map<string, { verdicts: Record<string, ClusterVerdict>; shown: string }>();
  let changes = 0;
  events.forEach((event, index) => {
    const flux = parseFluxEvent(bodies[index] as string);
    const description = describe(flux, event.verdict);
    const key = `${event.sha} ${event.environment} ${event.name}`;
    const record = records.get(key) ?? { verdicts: {}, shown: '' };
    const verdict = {
      order: eventOrder(Date.parse(flux.timestamp), { state: event.verdict, description, targetUrl: '' }),
      state: event.verdict,
      description,
    };
    record.verdicts[event.cluster] = advance(record.verdicts[event.cluster], verdict);
    const rollup = rollupOf(clustersOf(event.environment), record.verdicts, counts);
    const shown = `${rollup.state} ${rollup.description}`;
    if (shown !== record.shown) changes++;
    record.shown = shown;
    records.set(key, record);
  });
  return changes;
}

function bodyOf(event: FleetEvent, baseMs: number): string {
  const fixture =
    event.verdict === 'pending'
      ? FIXTURES.progressing
      : event.verdict === 'failure'
        ? FIXTURES.healthCheckFailed
        : FIXTURES.reconciled;
  const flux = eventOf(fixture);
  flux.involvedObject.name = event.name;
  flux.metadata.revision = `main@sha1:${event.sha}`;
  flux.metadata.cluster = event.cluster;
  flux.timestamp = new Date(baseMs + event.at * 1000).toISOString().replace('.000Z', 'Z');
  return JSON.stringify(flux);
}

export interface FleetVariant {
  /** The environments' `counts`. */
  counts: boolean;
  /** The routes' `clusterStatuses`. */
  clusterStatuses: boolean;
  /** The routes' and the environments' `rangeStatuses` (the cluster statuses' ranges, and the roll-ups'). */
  rangeStatuses: boolean;
}

export interface FleetFigures extends FleetVariant {
  events: number;
  forgeCallsPerEvent: number;
  forgeWritesPerEvent: number;
  /** Forge calls per deployment: per cluster, object and commit deployed. */
  forgeCallsPerDeployment?: number;
  rollupWritesPerCommitAndEnvironment: number;
  rollupStatesPerCommitAndEnvironment: number;
  fluxCallsPerEvent: number;
  fluxWritesPerEvent: number;
  fluxWritesPerCommitAndEnvironment: number;
}

/** A fleet cluster's webhook key and forge, as the bench's fleet runs give every cluster. */
export function benchFleetRoute(apiUrl: string) {
  return {
    auth: { secret: 'fleet/webhook' },
    provider: {
      type: 'github',
      address: 'https://github.com/acme/fleet-infra',
      secret: 'fleet/github',
      apiUrl,
    },
  };
}

/** Runs the stream through one relay (one warm container, its own ledger) and counts. */
export async function runFleet(variant: FleetVariant): Promise<FleetFigures> {
  process.env.GITHUB_WRITE_SPACING_MS = '0';
  const github = await new FakeGitHub().start();
  try {
    const routes = ENVIRONMENTS.flatMap((environment) =>
      clustersOf(environment).map((cluster) => ({
        id: cluster,
        cluster,
        environment,
        clusterStatuses: variant.clusterStatuses,
        rangeStatuses: variant.rangeStatuses,
        ...benchFleetRoute(github.url),
      })),
    );
    const environments = Object.fromEntries(
      ENVIRONMENTS.map((name) => [name, { counts: variant.counts, rangeStatuses: variant.rangeStatuses }]),
    );
    const config = parseEnvironmentConfig(JSON.stringify({ routes, environments }), 'fleet stream');
    const { relay, recomputes } = createRelay({
      routes: config.routes,
      environments: config.environments,
      secrets: new MemorySecrets({
        'fleet/webhook': { token: WEBHOOK_KEY },
        'fleet/github': { token: 'ghp_fleet' },
      }),
      observe: () => undefined,
    });
    const handler = apiGatewayHandler(relay);
    const events = fleetStream(15);
    // Each deployed commit comes with commits pushed before it that no event names.
    let previous: string | undefined;
    for (const sha of new Set(events.map((event) => event.sha))) {
      const carried = github.graph.chain(sha, CARRIED_PER_COMMIT, previous);
      previous = github.graph.add(sha, carried.slice(-1));
    }
    const baseMs = Math.floor(Date.now() / 1000) * 1000 - 3 * 3600_000;
    const bodies = events.map((event) => bodyOf(event, baseMs));
    for (const [index, event] of events.entries()) {
      const body = bodies[index] as string;
      const answer = await handler(
        apiEvent({ route: event.cluster, body, headers: { 'x-signature': sign(body) } }),
      );
      if (answer.statusCode >= 300) throw new Error(`the fleet stream was refused: ${answer.body}`);
    }
    // The roll-ups' consumer runs in this process after the answers: its last writes.
    await recomputes?.idle();
    const commitsAndEnvironments = COMMITS * ENVIRONMENTS.length;
    let rollupWrites = 0;
    for (const list of github.statuses.values()) {
      rollupWrites += list.filter((status) => status.context.startsWith('flux/')).length;
    }
    const rollupStates = rollupChanges(events, bodies, variant.counts);
    const flux = fluxProviders(events);
    return {
      ...variant,
      events: events.length,
      forgeCallsPerEvent: github.requests.length / events.length,
      forgeWritesPerEvent: github.writes.length / events.length,
      forgeCallsPerDeployment:
        github.requests.length / (COMMITS * ENVIRONMENTS.length * CLUSTERS_PER_ENVIRONMENT * KUSTOMIZATIONS),
      rollupWritesPerCommitAndEnvironment: rollupWrites / commitsAndEnvironments,
      rollupStatesPerCommitAndEnvironment: rollupStates / commitsAndEnvironments,
      fluxCallsPerEvent: flux.calls / events.length,
      fluxWritesPerEvent: flux.writes / events.length,
      fluxWritesPerCommitAndEnvironment: flux.writes / commitsAndEnvironments,
    };
  } finally {
    await github.stop();
  }
}

export function formatFleet(figures: readonly FleetFigures[]): string {
  const rows = figures.map((f) => [
    `counts ${f.counts ? 'on ' : 'off'}, cluster statuses ${f.clusterStatuses ? 'on ' : 'off'}, ranges ${f.rangeStatuses === true ? 'on ' : 'off'}`,
    f.forgeCallsPerEvent.toFixed(3),
    // Figures files written before the bench counted deployments have none.
    f.forgeCallsPerDeployment === undefined ? '–' : f.forgeCallsPerDeployment.toFixed(2),
    f.forgeWritesPerEvent.toFixed(3),
    f.rollupWritesPerCommitAndEnvironment.toFixed(1),
    f.rollupStatesPerCommitAndEnvironment.toFixed(1),
    f.fluxCallsPerEvent.toFixed(3),
    f.fluxWritesPerCommitAndEnvironment.toFixed(1),
  ]);
  const header = [
    'relay',
    'calls/event',
    'calls/deployment',
    'writes/event',
    'roll-up writes/commit/env',
    'roll-up states/commit/env',
    'Flux calls/event',
    'Flux writes/commit/env',
  ];
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (row: string[]) =>
    `  ${row.map((cell, index) => cell.padStart(widths[index] ?? 0)).join('  ')}`;
  const first = figures[0];
  return [
    '',
    `Fleet stream: ${ENVIRONMENTS.length} environments × ${CLUSTERS_PER_ENVIRONMENT} clusters × ${KUSTOMIZATIONS} Kustomizations, ${COMMITS} commits ${COMMIT_EVERY_S / 60} min apart, each pushed with ${CARRIED_PER_COMMIT} more that no event names, Flux's re-sends included (${first?.events ?? 0} events)`,
    line(header),
    ...rows.map(line),
    '  Flux: its GitHub provider in each cluster (Progressing skipped, a read before every write); its writes are per cluster and object.',
    "  calls/deployment: per cluster, object and deployed commit; ranges on adds a range read for each deployment after the first and the carried commits' statuses (once per roll-up on the roll-up's context; per cluster with cluster statuses).",
    '  roll-up states: how often the roll-ups change (state or description) as the stream arrives, computed apart; writes equal to it are the goal.',
    '',
  ].join('\n');
}

/** The variants `npm run bench` runs: the roll-up alone, with and without counts, with ranges off and on; the cluster statuses with ranges off and on. */
export const BENCH_VARIANTS: readonly FleetVariant[] = [
  { counts: false, clusterStatuses: false, rangeStatuses: false },
  { counts: true, clusterStatuses: false, rangeStatuses: false },
  { counts: true, clusterStatuses: false, rangeStatuses: true },
  { counts: true, clusterStatuses: true, rangeStatuses: false },
  { counts: true, clusterStatuses: true, rangeStatuses: true },
];

// `npx tsx scripts/bench/fleet.ts` runs the fleet stream alone.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures: FleetFigures[] = [];
  for (const variant of BENCH_VARIANTS) {
    figures.push(await runFleet(variant));
  }
  process.stdout.write(formatFleet(figures));
}
