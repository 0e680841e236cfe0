import { describe, expect, it } from 'vitest';
import { MemoryDeploymentHistory } from '../../functions/ledger/memory-deployment-history.js';
import { carriedOrder, eventOrder, type ShownStatus } from '../../functions/ledger/status-ledger.js';
import { MAX_SETTLED, markDone, settle } from '../../functions/ranges/settle.js';

const success: ShownStatus = { state: 'success', description: 'reconciliation succeeded', targetUrl: '' };
const verdict = (sha: string, second: number) => ({
  sha,
  order: eventOrder(second * 1000, success),
  eventTime: second * 1000,
});

describe('the deployment history of an object', () => {
  it('finds the commit settled just before a verdict, even when a newer one came first', async () => {
    // Prepare
    const history = new MemoryDeploymentHistory();
    await settle(history, 'k', verdict('w', 10));
    await settle(history, 'k', verdict('y', 40));

    // Act: X's verdict (second 20) arrives after Y's (second 40).
    const late = await settle(history, 'k', verdict('x', 20));

    // Assess
    expect(late).toEqual({ due: true, base: 'w' });
    expect((await history.read('k'))?.settled.map((entry) => entry.sha)).toEqual(['w', 'x', 'y']);
  });

  it('owes a commit’s range once: a repeat after it is done, or a later verdict on it, owes nothing', async () => {
    const history = new MemoryDeploymentHistory();
    await settle(history, 'k', verdict('w', 10));
    const first = await settle(history, 'k', verdict('x', 20));
    const retried = await settle(history, 'k', verdict('x', 20));
    await markDone(history, 'k', verdict('x', 20));

    expect(first).toEqual({ due: true, base: 'w' });
    expect(retried).toEqual({ due: true, base: 'w' });
    expect(await settle(history, 'k', verdict('x', 20))).toEqual({ due: false });
    expect(await settle(history, 'k', verdict('x', 30))).toEqual({ due: false });
  });

  it('lets an earlier verdict on the same commit take its range over', async () => {
    const history = new MemoryDeploymentHistory();
    await settle(history, 'k', verdict('w', 10));
    await settle(history, 'k', verdict('x', 30));
    await markDone(history, 'k', verdict('x', 30));

    expect(await settle(history, 'k', verdict('x', 20))).toEqual({ due: true, base: 'w' });
  });

  it('keeps the newest MAX_SETTLED commits', async () => {
    const history = new MemoryDeploymentHistory();
    for (let second = 0; second < MAX_SETTLED + 5; second++) {
      await settle(history, 'k', verdict(`c${second}`, second));
    }

    const settled = (await history.read('k'))?.settled ?? [];
    expect(settled).toHaveLength(MAX_SETTLED);
    expect(settled[0]?.sha).toBe('c5');
  });
});

describe('the order of a carried status', () => {
  it('sorts below every event of the commit’s own, and the earlier deployment above the later', () => {
    const own = eventOrder(0, { state: 'pending', description: 'progressing', targetUrl: '' });
    const carriedEarly = carriedOrder(20_000, success);
    const carriedLate = carriedOrder(40_000, success);

    expect(carriedEarly < own).toBe(true);
    expect(carriedLate < own).toBe(true);
    expect(carriedLate < carriedEarly).toBe(true);
  });
});
