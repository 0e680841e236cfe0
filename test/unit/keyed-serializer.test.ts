import { describe, expect, it } from 'vitest';
import { KeyedSerializer } from '../../functions/delivery/keyed-serializer.js';

/** A forge call that fails after an await, as a client's HTTP call does. */
async function failingForgeCall(): Promise<never> {
  await new Promise((done) => setTimeout(done, 1));
  throw new Error('the forge answered 502');
}

async function deliverThroughTheSerializer(serializer: KeyedSerializer, key: string): Promise<unknown> {
  return await serializer.run(key, () => failingForgeCall());
}

describe('the keyed serializer', () => {
  it("keeps the delivery's frames in a forge failure's stack trace, for the first task of a key and a queued one", async () => {
    // Prepare: a second task of the same key waits for the first.
    const serializer = new KeyedSerializer();

    // Act
    const [first, queued] = await Promise.all([
      deliverThroughTheSerializer(serializer, 'status').catch((error: Error) => error),
      deliverThroughTheSerializer(serializer, 'status').catch((error: Error) => error),
    ]);

    // Assess: the stack runs from the forge call through the serializer up to the delivery.
    for (const error of [first, queued] as Error[]) {
      expect(error.message).toBe('the forge answered 502');
      expect(error.stack).toMatch(
        /failingForgeCall[\s\S]*KeyedSerializer\.run[\s\S]*deliverThroughTheSerializer/,
      );
    }
  });

  it('runs the tasks of one key one after another in call order, other keys beside them, and a failure frees its key', async () => {
    const serializer = new KeyedSerializer();
    const log: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        log.push(`${name} start`);
        await new Promise((done) => setTimeout(done, 5));
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };

    const results = await Promise.allSettled([
      serializer.run('a', task('a1', true)),
      serializer.run('a', task('a2')),
      serializer.run('b', task('b1')),
    ]);

    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'));
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
    // Once idle, a key starts at once again.
    expect(await serializer.run('a', task('a3'))).toBe('a3');
  });
});
