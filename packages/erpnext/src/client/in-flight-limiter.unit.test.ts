import { describe, expect, it } from 'vitest';
import { InFlightLimiter } from './in-flight-limiter.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('InFlightLimiter', () => {
  it('never runs more than its limit at once, and runs the rest in order', async () => {
    const limiter = new InFlightLimiter(3);
    const gates = Array.from({ length: 10 }, deferred);
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.stats()).toMatchObject({ limit: 3, current: 3, queued: 7 });
    for (const gate of gates) {
      gate.resolve();
      await new Promise((r) => setImmediate(r));
      expect(limiter.stats().current).toBeLessThanOrEqual(3);
    }
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(limiter.stats()).toEqual({ limit: 3, current: 0, queued: 0, maxSeen: 3, maxQueued: 7 });
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new InFlightLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(limiter.stats().current).toBe(0);
  });

  it('close() rejects the queued and refuses new work; running work finishes', async () => {
    const limiter = new InFlightLimiter(1);
    const gate = deferred();
    const running = limiter.run(() => gate.promise.then(() => 'done'));
    const queued = limiter.run(async () => 'never');
    limiter.close(new Error('closed'));
    await expect(queued).rejects.toThrow('closed');
    await expect(limiter.run(async () => 'new')).rejects.toThrow('closed');
    gate.resolve();
    expect(await running).toBe('done');
  });

  it('refuses a limit below 1', () => {
    expect(() => new InFlightLimiter(0)).toThrow(RangeError);
  });
});
