import { describe, expect, it } from 'vitest';
import { billedMs, type InvocationCost, invocationDollars } from '../../scripts/bench/cost-model.js';
import { noDynamoDbCounts } from '../../scripts/bench/dynamodb-meter.js';
import {
  indexWriteUnits,
  itemSize,
  numberSize,
  putUnits,
  readUnits,
  writeUnits,
} from '../../scripts/bench/dynamodb-units.js';
import { ASSUMED_LATENCY_MS, PRICES } from '../../scripts/bench/prices.js';

describe("DynamoDB's item sizes", () => {
  it('counts names and values in UTF-8 bytes, numbers by significant digits', () => {
    expect(itemSize({ id: { S: 'abc' } })).toBe(2 + 3);
    expect(itemSize({ é: { S: 'ü' } })).toBe(2 + 2);
    expect(numberSize('1')).toBe(2);
    expect(numberSize('12345')).toBe(4);
    expect(numberSize('1000000')).toBe(2);
    expect(numberSize('0.00012')).toBe(2);
    expect(itemSize({ ok: { BOOL: true }, no: { NULL: true } })).toBe(2 + 1 + 2 + 1);
  });

  it('adds 3 bytes to a map or list and 1 byte per element', () => {
    expect(itemSize({ m: { M: { a: { S: 'xy' } } } })).toBe(1 + 3 + (1 + 2) + 1);
    expect(itemSize({ l: { L: [{ S: 'x' }, { S: 'yz' }] } })).toBe(1 + 3 + (1 + 1) + (2 + 1));
  });
});

describe("DynamoDB's units", () => {
  it('reads per 4 KB, at least one unit, half when eventually consistent', () => {
    expect(readUnits(0, true)).toBe(1);
    expect(readUnits(4096, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(100, false)).toBe(0.5);
    expect(readUnits(8192, false)).toBe(1);
  });

  it('writes per 1 KB of the larger item, before or after; a failed condition by the item that stood', () => {
    const small = { id: { S: 'a' } };
    const large = { id: { S: 'a' }, blob: { S: 'x'.repeat(1500) } };
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(putUnits(undefined, small, true)).toBe(1);
    expect(putUnits(large, small, true)).toBe(2);
    expect(putUnits(small, large, true)).toBe(2);
    expect(putUnits(large, small, false)).toBe(2);
    expect(putUnits(undefined, large, false)).toBe(1);
  });

  it("writes a KEYS_ONLY index's entry when the item enters, leaves or moves in it, and not otherwise", () => {
    const index = { name: 'due', keys: ['shard', 'due'], tableKeys: ['id'] };
    const out = { id: { S: 'a' } };
    const at = (due: string) => ({ id: { S: 'a' }, shard: { S: 'due' }, due: { N: due }, other: { S: 'x' } });
    expect(indexWriteUnits(undefined, out, index)).toBe(0);
    expect(indexWriteUnits(out, at('1'), index)).toBe(1);
    expect(indexWriteUnits(at('1'), out, index)).toBe(1);
    expect(indexWriteUnits(at('1'), at('2'), index)).toBe(2);
    expect(indexWriteUnits(at('1'), { ...at('1'), other: { S: 'changed' } }, index)).toBe(0);
  });
});

describe('the cost model', () => {
  const invocation = (change: Partial<InvocationCost> = {}): InvocationCost => ({
    kind: 'repeat',
    cpuUs: 1000,
    logBytes: 0,
    logLines: 0,
    dynamodb: noDynamoDbCounts(),
    forgeReads: 0,
    forgeWrites: 0,
    secretsManagerCalls: 0,
    sqsRequests: 0,
    ...change,
  });

  it("stretches CPU to the memory's share of a vCPU, adds each call's time and rounds up to the millisecond", () => {
    expect(billedMs(invocation(), 1769)).toBe(1);
    expect(billedMs(invocation(), 512)).toBe(Math.ceil(1769 / 512));
    expect(billedMs(invocation({ cpuUs: 0, forgeWrites: 1 }), 512)).toBe(ASSUMED_LATENCY_MS.forgeWrite);
    const calls = { ...noDynamoDbCounts(), requests: 2 };
    expect(billedMs(invocation({ cpuUs: 0, dynamodb: calls }), 512)).toBe(2 * ASSUMED_LATENCY_MS.dynamodb);
  });

  it('prices each line of the bill from the one table of prices', () => {
    const units = { ...noDynamoDbCounts(), requests: 3, readUnits: 2, writeUnits: 1 };
    const dollars = invocationDollars(invocation({ dynamodb: units, sqsRequests: 1 }), 512, 100);
    expect(dollars.apiGateway).toBe(PRICES.apiGateway.perMillionRequests / 1e6);
    expect(dollars.dynamodb).toBeCloseTo(
      (2 * PRICES.dynamodb.perMillionReadUnits + PRICES.dynamodb.perMillionWriteUnits) / 1e6,
      15,
    );
    expect(dollars.sqs).toBeCloseTo(PRICES.sqs.perMillionRequests / 1e6, 15);
    const billed = billedMs(invocation({ dynamodb: units, sqsRequests: 1 }), 512);
    expect(dollars.duration).toBeCloseTo((billed / 1000) * 0.5 * PRICES.lambda.perGbSecond.arm64, 15);
    const parts = dollars.apiGateway + dollars.lambdaRequests + dollars.duration + dollars.dynamodb;
    expect(dollars.total).toBeCloseTo(parts + dollars.sqs + dollars.secretsManager + dollars.logs, 15);
    expect(dollars.logs).toBeGreaterThan(0);
  });
});
