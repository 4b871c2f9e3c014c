import { describe, expect, it } from 'vitest';
import { forEachLimited } from './pool.js';

describe('forEachLimited', () => {
  it('runs every item with at most `concurrency` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachLimited(
      Array.from({ length: 50 }, (_, i) => i),
      7,
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(i);
        inFlight--;
      },
    );
    expect(most).toBe(7);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('stops handing out items after an error, and throws the first', async () => {
    const started: number[] = [];
    await expect(
      forEachLimited([1, 2, 3, 4, 5, 6], 2, async (i) => {
        started.push(i);
        if (i === 2) throw new Error('boom 2');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }),
    ).rejects.toThrow('boom 2');
    expect(started.length).toBeLessThan(6);
  });

  it('does nothing for no items', async () => {
    await forEachLimited([], 4, async () => {
      throw new Error('not called');
    });
  });
});
