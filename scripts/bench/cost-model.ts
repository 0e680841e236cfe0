import type { ACCESS_LOG_FIELDS } from '../../infra/constructs/webhook-api.js';
import type { StreamEventKind } from '../../test/harness/flux-stream.js';
import type { DynamoDbCounts } from './dynamodb-meter.js';
import { type Architecture, ASSUMED_LATENCY_MS, ONE_VCPU_MB, PRICES } from './prices.js';
import { mean } from './stats.js';

/** What one invocation did, as the bench measured and counted it. */
export interface InvocationCost {
  kind: StreamEventKind;
  cpuUs: number;
  logBytes: number;
  logLines: number;
  dynamodb: DynamoDbCounts;
  forgeReads: number;
  forgeWrites: number;
  secretsManagerCalls: number;
  sqsRequests: number;
}

/** Dollars per million events, by what AWS bills. */
export interface Dollars {
  apiGateway: number;
  lambdaRequests: number;
  duration: number;
  dynamodb: number;
  sqs: number;
  secretsManager: number;
  logs: number;
  total: number;
}

/** The memory sizes priced: the stack's default, and half of it. */
export const MEMORY_SIZES = [512, 256] as const;
export type MemorySize = (typeof MEMORY_SIZES)[number];
/** What the stack deploys (infra/constructs/webhook-function.ts). */
export const ARCHITECTURE: Architecture = 'arm64';

export interface CostSide {
  name: string;
  events: number;
  maxRssMb: number;
  /** Means per event over the measured stream. */
  perEvent: {
    cpuUs: number;
    billedMs: Record<MemorySize, number>;
    logBytes: number;
    logLines: number;
    platformLogBytes: number;
    accessLogBytes: number;
    dynamodbRequests: number;
    strongReads: number;
    eventualReads: number;
    conditionalFailures: number;
    readUnits: number;
    writeUnits: number;
    indexWriteUnits: number;
    forgeReads: number;
    forgeWrites: number;
    sqsRequests: number;
    secretsManagerCalls: number;
  };
  /** The re-sends alone (85 % of the mix): their means, and their dollars per million re-sends. */
  repeat: {
    events: number;
    cpuUs: number;
    logBytes: number;
    readUnits: number;
    writeUnits: number;
    dollars: number;
  };
  dollars: Record<MemorySize, Dollars>;
}

/** The access log line API Gateway writes for each request (the same for the project and the floor). */
export function accessLogBytes(): number {
  const sample: Record<keyof typeof ACCESS_LOG_FIELDS, string> = {
    requestId: 'Hd5yQjB0oAMEbXw=',
    requestTime: '06/Dec/2026:21:58:07 +0000',
    sourceIp: '203.0.113.10',
    userAgent: 'Go-http-client/1.1',
    method: 'POST',
    path: '/hooks/prod-eu-1',
    routeKey: 'POST /hooks/prod-eu-1',
    status: '200',
    protocol: 'HTTP/1.1',
    responseLength: '180',
    responseLatency: '42',
    integrationStatus: '200',
    integrationLatency: '40',
    integrationError: '-',
    error: '-',
  };
  return Buffer.byteLength(JSON.stringify(sample));
}

/** Lambda's own lines for each invocation (the function logs in Text format): START, END and REPORT. */
export function platformLogBytes(billedMs: number, memory: number, maxRssMb: number): number {
  const id = '8f507cfc-1a2b-4697-b07a-ac58fc914c95';
  return [
    `START RequestId: ${id} Version: $LATEST`,
    `END RequestId: ${id}`,
    `REPORT RequestId: ${id}\tDuration: ${(billedMs - 0.5).toFixed(2)} ms\tBilled Duration: ${billedMs} ms\tMemory Size: ${memory} MB\tMax Memory Used: ${Math.round(maxRssMb)} MB\t`,
  ].reduce((sum, line) => sum + Buffer.byteLength(line), 0);
}

/**
 * Billed milliseconds: the measured CPU stretched to the memory's share of a vCPU, plus the assumed
 * time of each call the invocation waited on, rounded up to the millisecond as Lambda bills.
 */
export function billedMs(invocation: InvocationCost, memory: number): number {
  const cpuMs = (invocation.cpuUs / 1000) * Math.max(1, ONE_VCPU_MB / memory);
  const waitMs =
    invocation.dynamodb.requests * ASSUMED_LATENCY_MS.dynamodb +
    invocation.sqsRequests * ASSUMED_LATENCY_MS.sqs +
    invocation.secretsManagerCalls * ASSUMED_LATENCY_MS.secretsManager +
    invocation.forgeReads * ASSUMED_LATENCY_MS.forgeRead +
    invocation.forgeWrites * ASSUMED_LATENCY_MS.forgeWrite;
  return Math.max(1, Math.ceil(cpuMs + waitMs));
}

const GB = 2 ** 30;

/** One invocation's dollars, by line of the bill. */
export function invocationDollars(invocation: InvocationCost, memory: number, maxRssMb: number): Dollars {
  const billed = billedMs(invocation, memory);
  const logBytes = invocation.logBytes + platformLogBytes(billed, memory, maxRssMb) + accessLogBytes();
  const lines = {
    apiGateway: PRICES.apiGateway.perMillionRequests / 1e6,
    lambdaRequests: PRICES.lambda.perMillionRequests / 1e6,
    duration: (billed / 1000) * (memory / 1024) * PRICES.lambda.perGbSecond[ARCHITECTURE],
    dynamodb:
      (invocation.dynamodb.readUnits * PRICES.dynamodb.perMillionReadUnits +
        invocation.dynamodb.writeUnits * PRICES.dynamodb.perMillionWriteUnits) /
      1e6,
    sqs: (invocation.sqsRequests * PRICES.sqs.perMillionRequests) / 1e6,
    secretsManager: (invocation.secretsManagerCalls * PRICES.secretsManager.per10kApiCalls) / 1e4,
    logs: (logBytes / GB) * PRICES.cloudWatchLogs.perGbIngested,
  };
  return { ...lines, total: Object.values(lines).reduce((sum, value) => sum + value, 0) };
}

/** Dollars per million events: the mean invocation's, times a million. */
function perMillion(invocations: readonly InvocationCost[], memory: number, maxRssMb: number): Dollars {
  const each = invocations.map((invocation) => invocationDollars(invocation, memory, maxRssMb));
  const sum = (key: keyof Dollars) => mean(each.map((dollars) => dollars[key])) * 1e6;
  return {
    apiGateway: sum('apiGateway'),
    lambdaRequests: sum('lambdaRequests'),
    duration: sum('duration'),
    dynamodb: sum('dynamodb'),
    sqs: sum('sqs'),
    secretsManager: sum('secretsManager'),
    logs: sum('logs'),
    total: sum('total'),
  };
}

export function priceSide(name: string, invocations: readonly InvocationCost[], maxRssMb: number): CostSide {
  const of = (pick: (invocation: InvocationCost) => number, subset = invocations) => mean(subset.map(pick));
  const repeats = invocations.filter((invocation) => invocation.kind === 'repeat');
  const [configured] = MEMORY_SIZES;
  return {
    name,
    events: invocations.length,
    maxRssMb,
    perEvent: {
      cpuUs: of((i) => i.cpuUs),
      billedMs: Object.fromEntries(
        MEMORY_SIZES.map((memory) => [memory, of((i) => billedMs(i, memory))]),
      ) as Record<MemorySize, number>,
      logBytes: of((i) => i.logBytes),
      logLines: of((i) => i.logLines),
      platformLogBytes: of((i) => platformLogBytes(billedMs(i, configured), configured, maxRssMb)),
      accessLogBytes: accessLogBytes(),
      dynamodbRequests: of((i) => i.dynamodb.requests),
      strongReads: of((i) => i.dynamodb.strongReads),
      eventualReads: of((i) => i.dynamodb.eventualReads),
      conditionalFailures: of((i) => i.dynamodb.conditionalFailures),
      readUnits: of((i) => i.dynamodb.readUnits),
      writeUnits: of((i) => i.dynamodb.writeUnits),
      indexWriteUnits: of((i) => i.dynamodb.indexWriteUnits),
      forgeReads: of((i) => i.forgeReads),
      forgeWrites: of((i) => i.forgeWrites),
      sqsRequests: of((i) => i.sqsRequests),
      secretsManagerCalls: of((i) => i.secretsManagerCalls),
    },
    repeat: {
      events: repeats.length,
      cpuUs: of((i) => i.cpuUs, repeats),
      logBytes: of((i) => i.logBytes, repeats),
      readUnits: of((i) => i.dynamodb.readUnits, repeats),
      writeUnits: of((i) => i.dynamodb.writeUnits, repeats),
      dollars: perMillion(repeats, configured, maxRssMb).total,
    },
    dollars: Object.fromEntries(
      MEMORY_SIZES.map((memory) => [memory, perMillion(invocations, memory, maxRssMb)]),
    ) as Record<MemorySize, Dollars>,
  };
}
