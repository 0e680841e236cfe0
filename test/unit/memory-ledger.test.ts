import { describe, expect, it } from 'vitest';
import { LedgerUnavailableError } from '../../functions/core/errors.js';
import { LEDGER_TTL_SECONDS } from '../../functions/ledger/dynamodb-store.js';
import { MemoryLedger } from '../../functions/ledger/memory-ledger.js';
import { eventOrder, type LedgerItem, type ShownStatus } from '../../functions/ledger/status-ledger.js';

const shown = (state: ShownStatus['state'], description = ''): ShownStatus => ({
  state,
  description,
  targetUrl: '',
});

const item = (version: number): LedgerItem => ({
  claim: { order: eventOrder(1, shown('success')), eventTime: 1, status: shown('success') },
  confirmed: true,
  writers: {},
  version,
});

describe('MemoryLedger', () => {
  it('refuses a new item beyond its capacity, as a passing fault, rather than forget one that still orders events', async () => {
    // Prepare
    const memory = new MemoryLedger(2);
    await memory.swap('a', undefined, item(1));
    await memory.swap('b', undefined, item(1));

    // Act
    const refused = await memory.swap('c', undefined, item(1)).catch((error: Error) => error);
    const known = await memory.swap('a', 1, item(2));

    // Assess
    expect(refused).toBeInstanceOf(LedgerUnavailableError);
    expect(known).toBe(true);
    expect(await memory.read('b')).toBeDefined();
    expect(await memory.read('c')).toBeUndefined();
  });

  it('forgets the least recently used item once it is as old as the shared table’s TTL', async () => {
    // Prepare
    const clock = { now: 0 };
    const memory = new MemoryLedger(2, () => clock.now);
    await memory.swap('a', undefined, item(1));
    await memory.swap('b', undefined, item(1));
    await memory.read('a');
    clock.now = LEDGER_TTL_SECONDS * 1000;

    // Act
    await memory.swap('c', undefined, item(1));

    // Assess
    expect(await memory.read('a')).toBeDefined();
    expect(await memory.read('b')).toBeUndefined();
    expect(await memory.read('c')).toBeDefined();
  });

  it('swaps only from the version that was read, and hands out copies', async () => {
    // Prepare
    const memory = new MemoryLedger();
    await memory.swap('k', undefined, item(1));

    // Act
    const stale = await memory.swap('k', undefined, item(2));
    const current = await memory.swap('k', 1, item(2));
    const read = await memory.read('k');
    if (read) read.version = 99;

    // Assess
    expect([stale, current]).toEqual([false, true]);
    expect((await memory.read('k'))?.version).toBe(2);
  });
});

describe('eventOrder', () => {
  it('orders by time, then a verdict over a pending, then a failure over a success', () => {
    // Prepare
    const orders = [
      eventOrder(1000, shown('failure')),
      eventOrder(2000, shown('pending')),
      eventOrder(2000, shown('success')),
      eventOrder(2000, shown('failure')),
      eventOrder(3000, shown('pending')),
    ];

    // Act
    const sorted = [...orders].sort();

    // Assess
    expect(sorted).toEqual(orders);
    expect(new Set(orders).size).toBe(orders.length);
  });

  it('gives identical events one order, and different texts of one second distinct ones', () => {
    expect(eventOrder(5, shown('failure', 'a'))).toBe(eventOrder(5, shown('failure', 'a')));
    expect(eventOrder(5, shown('failure', 'a'))).not.toBe(eventOrder(5, shown('failure', 'b')));
    expect(eventOrder(1e12, shown('success')) > eventOrder(9e11, shown('success'))).toBe(true);
  });
});
