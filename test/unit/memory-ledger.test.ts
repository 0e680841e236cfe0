import { describe, expect, it } from 'vitest';
import { eventOrder } from '../../functions/ledger/delivery-ledger.js';
import { MemoryLedger } from '../../functions/ledger/memory-ledger.js';

const entry = (state: string, eventTime: number) => ({ state, description: '', targetUrl: '', eventTime });

describe('MemoryLedger', () => {
  it('forgets the least recently used entry beyond its capacity', () => {
    const memory = new MemoryLedger(2);
    memory.remember('a', entry('success', 1));
    memory.remember('b', entry('success', 1));
    memory.peek('a');

    memory.remember('c', entry('success', 1));

    expect(memory.peek('a')).toBeDefined();
    expect(memory.peek('b')).toBeUndefined();
    expect(memory.peek('c')).toBeDefined();
  });

  it('keeps a newer entry, and a final state over a pending one of the same second', () => {
    const memory = new MemoryLedger();
    memory.remember('k', entry('failure', 2000));

    expect(memory.remember('k', entry('success', 1000))).toBe('superseded');
    expect(memory.remember('k', entry('pending', 2000))).toBe('superseded');
    expect(memory.remember('k', entry('success', 2000))).toBe('recorded');
    expect(memory.peek('k')?.state).toBe('success');
  });

  it('orders events by time first, then final over pending', () => {
    expect(eventOrder(entry('pending', 2000))).toBeGreaterThan(eventOrder(entry('success', 1000)));
    expect(eventOrder(entry('success', 1000))).toBeGreaterThan(eventOrder(entry('pending', 1000)));
  });
});
