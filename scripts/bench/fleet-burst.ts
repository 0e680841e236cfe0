/**
 * The fleet burst of `npm run bench`: every cluster of one environment reports one commit within a
 * second, through relays sharing one set of stores, as a fleet does when each cluster picks up the
 * commit within its source interval. The stores are this process's, metered as DynamoDB bills them
 * (a request per call; write units per started KB of the item written, a failed condition included;
 * strongly consistent read units per started 4 KB read) and slowed to 3–8 ms a call; GitHub is the
 * stateful fake, its status writes slowed to 100–300 ms. The roll-up's recomputes go through a
 * FIFO queue of the same semantics as SQS's (one batch of at most ten per message group at a time,
 * deduplication ids). Counts, sizes and one wall-clock span; item sizes are estimated from JSON.
 */
import { pathToFileURL } from 'node:url';
import { parseEnvironmentConfig } from '../../functions/config/environment-config.js';
import type { CreateForgeClient } from '../../functions/delivery/forge-clients.js';
import type { RecomputeQueue, RecomputeRequest } from '../../functions/fleet/recompute-request.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import type { ClusterVerdicts } from '../../functions/ledger/cluster-verdicts.js';
import { MemoryClusterVerdicts } from '../../functions/ledger/memory-cluster-verdicts.js';
import { MemoryLedger } from '../../functions/ledger/memory-ledger.js';
import { MemoryPendingIndex } from '../../functions/ledger/memory-pending-index.js';
import { MemoryRollupLedger } from '../../functions/ledger/memory-rollup-ledger.js';
import type { PendingIndex } from '../../functions/ledger/pending-index.js';
import type { Versioned, VersionedStore } from '../../functions/ledger/versioned-store.js';
import { createService } from '../../functions/service/create-service.js';
import { FakeGitHub } from '../../test/fakes/fake-github.js';
import { MemorySecrets, sign, verdictEvent, WEBHOOK_KEY } from '../../test/harness/flux-fixtures.js';
import { apiEvent } from '../../test/harness/relay-harness.js';
import { benchFleetRoute } from './fleet.js';

export const BURST_SIZES = [20, 200, 1000] as const;
const RELAYS = 10;
const CONTEXT = 'flux/production/kustomization/apps';
const FAILURE_MESSAGE_CHARS = 740;
/** DynamoDB on-demand list prices (us-east-1), per million request units. */
const WRITE_UNIT_USD = 0.625 / 1e6;
const READ_UNIT_USD = 0.125 / 1e6;
/** The measure of the design before this one: write units of one report at 1,000 clusters. */
const BEFORE_WRITE_UNITS_AT_1000 = 111;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const storeLatency = () => sleep(3 + Math.random() * 5);

/** What DynamoDB would bill and see. */
class Meter {
  requests = 0;
  writeUnits = 0;
  readUnits = 0;
  failedConditions = 0;
  largestItem = 0;
  write(bytes: number, succeeded: boolean) {
    this.requests++;
    this.writeUnits += Math.max(1, Math.ceil(bytes / 1024));
    if (!succeeded) this.failedConditions++;
    this.largestItem = Math.max(this.largestItem, bytes);
  }
  read(bytes: number) {
    this.requests++;
    this.readUnits += Math.max(1, Math.ceil(bytes / 4096));
  }
}

const sizeOf = (key: string, value: unknown) =>
  value === undefined ? 0 : Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(value));

function metered<T extends Versioned, S extends VersionedStore<T>>(store: S, meter: Meter): S {
  return Object.assign(Object.create(store), {
    async read(key: string) {
      await storeLatency();
      const value = await store.read(key);
      meter.read(sizeOf(key, value));
      return value;
    },
    async swap(key: string, version: number | undefined, next: T) {
      await storeLatency();
      const swapped = await store.swap(key, version, next);
      meter.write(sizeOf(key, next), swapped);
      return swapped;
    },
  });
}

function meteredClusters(store: ClusterVerdicts, meter: Meter): ClusterVerdicts {
  return {
    async report(rollup, cluster, verdict) {
      await storeLatency();
      const result = await store.report(rollup, cluster, verdict);
      meter.write(sizeOf(rollup + cluster, verdict), result === 'changed' || result === 'advanced');
      return result;
    },
    async query(rollup) {
      await storeLatency();
      const items = await store.query(rollup);
      meter.read(
        Object.entries(items).reduce((sum, [cluster, item]) => sum + sizeOf(rollup + cluster, item), 0),
      );
      return items;
    },
  };
}

/** SQS FIFO as the event source mapping serves it: per group, one batch of up to ten at a time. */
class FifoModel implements RecomputeQueue {
  sends = 0;
  recomputes = 0;
  readonly #groups = new Map<string, RecomputeRequest[]>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #seen = new Set<string>();
  constructor(private readonly run: (request: RecomputeRequest) => Promise<void>) {}

  async request(request: RecomputeRequest, dedupId: string): Promise<void> {
    await storeLatency();
    this.sends++;
    if (this.#seen.has(dedupId)) return;
    this.#seen.add(dedupId);
    const group = this.#groups.get(request.rollup) ?? [];
    group.push(request);
    this.#groups.set(request.rollup, group);
    if (!this.#running.has(request.rollup)) {
      this.#running.set(
        request.rollup,
        this.#consume(request.rollup).finally(() => this.#running.delete(request.rollup)),
      );
    }
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  async #consume(rollup: string): Promise<void> {
    const group = this.#groups.get(rollup) ?? [];
    while (group.length > 0) {
      const batch = group.splice(0, 10);
      this.recomputes++;
      try {
        await this.run(batch[0] as RecomputeRequest);
      } catch {
        group.unshift(...batch);
        await sleep(50);
      }
    }
  }
}

export interface BurstFigures {
  clusters: number;
  failing: boolean;
  reports: number;
  non2xx: number;
  contentionFailures: number;
  requestsPerReport: number;
  writeUnitsPerReport: number;
  readUnitsPerReport: number;
  failedConditionsPerReport: number;
  sqsSendsPerReport: number;
  recomputes: number;
  largestItemBytes: number;
  rollupForgeWrites: number;
  rollupStates: number;
  msFromLastReportToFinalWrite: number;
  dynamoUsdPerReport: number;
}

export async function runBurst(clusters: number, failing: boolean): Promise<BurstFigures> {
  process.env.GITHUB_WRITE_SPACING_MS = '0';
  const github = await new FakeGitHub().start();
  try {
    const names = Array.from({ length: clusters }, (_, index) => `prod-${String(index).padStart(4, '0')}`);
    const routes = names.map((cluster) => ({
      id: cluster,
      cluster,
      environment: 'production',
      clusterStatuses: false,
      ...benchFleetRoute(github.url),
    }));
    const config = parseEnvironmentConfig(
      JSON.stringify({ routes, environments: { production: { counts: true } } }),
      'fleet burst',
    );
    const meter = new Meter();
    const stores = {
      ledger: metered(new MemoryLedger(), meter),
      rollups: metered(new MemoryRollupLedger(), meter),
      pending: metered(new MemoryPendingIndex(), meter) as PendingIndex,
      clusters: meteredClusters(new MemoryClusterVerdicts(), meter),
    };
    let lastRollupWrite = 0;
    const createClient: CreateForgeClient = async (...args) => {
      const client = await createForgeClient(...args);
      return Object.assign(Object.create(client), {
        write: async (...write: Parameters<typeof client.write>) => {
          await sleep(100 + Math.random() * 200);
          const result = await client.write(...write);
          lastRollupWrite = Date.now();
          return result;
        },
      });
    };
    const records: Array<{ errorName?: string }> = [];
    const secrets = new MemorySecrets({
      'fleet/webhook': { token: WEBHOOK_KEY },
      'fleet/github': { token: 'ghp_fleet' },
    });
    let consumer: ((request: RecomputeRequest) => Promise<void>) | undefined;
    const fifo = new FifoModel((request) => (consumer as NonNullable<typeof consumer>)(request));
    const relays = Array.from({ length: RELAYS }, () =>
      createService({
        routes: config.routes,
        environments: config.environments,
        secrets,
        observe: (record) => records.push(record),
        ...stores,
        recomputes: fifo,
        createClient,
      }),
    );
    consumer = (request) => (relays[0] as (typeof relays)[number]).recompute(request);
    const handlers = relays.map(({ onApiGateway }) => onApiGateway);
    const sha = (failing ? 'e' : 'd').repeat(40);
    const eventTime = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const message = 'x'.repeat(FAILURE_MESSAGE_CHARS);
    let lastReport = 0;
    let non2xx = 0;
    // Act: each cluster's report at a random moment of one second.
    await Promise.all(
      names.map(async (cluster, index) => {
        await sleep(Math.random() * 1000);
        const body = verdictEvent(sha, failing ? 'failure' : 'success', eventTime, { message });
        const answer = await (handlers[index % RELAYS] as (typeof handlers)[number])(
          apiEvent({ route: cluster, body, headers: { 'x-signature': sign(body) } }),
        );
        if (answer.statusCode >= 300) non2xx++;
        lastReport = Math.max(lastReport, Date.now());
      }),
    );
    const reportMeter = { ...meter };
    await fifo.idle();
    const writes = (github.statusesOf('acme/fleet-infra', sha) ?? []).filter(
      (status) => status.context === CONTEXT,
    );
    const states = new Set(writes.map((status) => `${status.state} ${status.description}`));
    const reports = names.length;
    return {
      clusters,
      failing,
      reports,
      non2xx,
      contentionFailures: records.filter((record) => record.errorName === 'OrderingContentionError').length,
      requestsPerReport: meter.requests / reports,
      writeUnitsPerReport: meter.writeUnits / reports,
      readUnitsPerReport: meter.readUnits / reports,
      failedConditionsPerReport: meter.failedConditions / reports,
      sqsSendsPerReport: fifo.sends / reports,
      recomputes: fifo.recomputes,
      largestItemBytes: Math.max(meter.largestItem, reportMeter.largestItem),
      rollupForgeWrites: writes.length,
      rollupStates: states.size,
      msFromLastReportToFinalWrite: Math.max(0, lastRollupWrite - lastReport),
      dynamoUsdPerReport: (meter.writeUnits * WRITE_UNIT_USD + meter.readUnits * READ_UNIT_USD) / reports,
    };
  } finally {
    await github.stop();
  }
}

export function formatBurst(figures: readonly BurstFigures[]): string {
  const header = [
    'clusters',
    'run',
    'non-2xx',
    'contention',
    'DDB req/report',
    'WU/report',
    'RU/report',
    'failed cond/report',
    'SQS/report',
    'recomputes',
    'largest item B',
    'forge writes',
    'states',
    'last report→final ms',
  ];
  const rows = figures.map((f) => [
    String(f.clusters),
    f.failing ? `all failing (${FAILURE_MESSAGE_CHARS} ch)` : 'all success',
    String(f.non2xx),
    String(f.contentionFailures),
    f.requestsPerReport.toFixed(2),
    f.writeUnitsPerReport.toFixed(2),
    f.readUnitsPerReport.toFixed(2),
    f.failedConditionsPerReport.toFixed(3),
    f.sqsSendsPerReport.toFixed(2),
    String(f.recomputes),
    String(f.largestItemBytes),
    String(f.rollupForgeWrites),
    String(f.rollupStates),
    String(Math.round(f.msFromLastReportToFinalWrite)),
  ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (row: string[]) =>
    `  ${row.map((cell, index) => cell.padStart(widths[index] ?? 0)).join('  ')}`;
  const at = (clusters: number) => figures.find((f) => f.clusters === clusters && !f.failing);
  const small = at(20);
  const large = at(1000);
  const ratio = small && large ? large.writeUnitsPerReport / small.writeUnitsPerReport : Number.NaN;
  const before = BEFORE_WRITE_UNITS_AT_1000 * WRITE_UNIT_USD;
  const bill = large ? large.dynamoUsdPerReport / before : Number.NaN;
  return [
    '',
    `Fleet burst: every cluster reports one commit within a second, through ${RELAYS} relays; store calls 3–8 ms, GitHub writes 100–300 ms; counts per report`,
    line(header),
    ...rows.map(line),
    `  write units per report at 1,000 clusters / at 20: ${ratio.toFixed(2)}×; DynamoDB cost per report at 1,000 clusters (writes and reads) / the former design's writes alone (${BEFORE_WRITE_UNITS_AT_1000} WU): ${bill.toFixed(3)}`,
    '',
  ].join('\n');
}

export async function runBursts(): Promise<BurstFigures[]> {
  const figures: BurstFigures[] = [];
  for (const clusters of BURST_SIZES) figures.push(await runBurst(clusters, false));
  figures.push(await runBurst(1000, true));
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(formatBurst(await runBursts()));
}
