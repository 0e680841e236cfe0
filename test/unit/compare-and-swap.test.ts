import { describe, expect, it } from 'vitest';
import { CONFLICT, compareAndSwap, MAX_CONFLICTS } from '../../functions/core/compare-and-swap.js';
import { OrderingContentionError } from '../../functions/core/errors.js';

describe('the one compare-and-swap loop', () => {
  it('waits a full-jitter backoff after each lost swap, doubling to its cap, and returns the round that won', async () => {
    // Prepare: the jitter's top (random 0.999…) so each wait shows its cap.
    const waits: number[] = [];
    let rounds = 0;

    // Act
    const result = await compareAndSwap('the record', async () => (++rounds < 10 ? CONFLICT : 'swapped'), {
      random: () => 0.9999,
      sleep: async (ms) => void waits.push(ms),
    });

    // Assess
    expect(result).toBe('swapped');
    expect(waits).toEqual([3, 7, 15, 31, 63, 127, 249, 249, 249]);
  });

  it('draws each wait from zero up: writers that collided spread out', async () => {
    const waits: number[] = [];
    let rounds = 0;

    await compareAndSwap('the record', async () => (++rounds < 4 ? CONFLICT : 'swapped'), {
      random: () => 0,
      sleep: async (ms) => void waits.push(ms),
    });

    expect(waits).toEqual([0, 0, 0]);
  });

  it('gives up after its round limit with the passing fault the retry paths take', async () => {
    let rounds = 0;

    const attempt = compareAndSwap(
      'the roll-up record',
      async () => {
        rounds++;
        return CONFLICT;
      },
      {
        sleep: async () => undefined,
      },
    );

    await expect(attempt).rejects.toBeInstanceOf(OrderingContentionError);
    await expect(attempt).rejects.toThrow(/the roll-up record changed on each of 12 attempts/);
    expect(rounds).toBe(MAX_CONFLICTS);
  });
});
