import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REREAD_DELAYS_MS } from './live-reread.js';
import { liveRereads } from './live-rereads.js';

/** Lets the reads' promises settle (fake timers do not run them). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('liveRereads', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setUp = (behind: (key: string, count: number) => boolean, ready = true) => {
    const reads: string[] = [];
    const controller = new AbortController();
    const rereads = liveRereads<string>({
      ready: async () => ready,
      read: async (key) => {
        reads.push(key);
        return behind(key, reads.filter((read) => read === key).length);
      },
      signal: controller.signal,
    });
    return { reads, rereads, controller };
  };

  it('reads after the first pause, again while behind, then stops', async () => {
    const { reads, rereads } = setUp((_key, count) => count < 3);
    rereads.afterEvent('tr_1', '2026-12-05T10:00:00.000Z');
    await settle();
    expect(reads).toEqual([]);
    await vi.advanceTimersByTimeAsync(REREAD_DELAYS_MS[0] ?? 0);
    expect(reads).toEqual(['tr_1']);
    await vi.advanceTimersByTimeAsync(REREAD_DELAYS_MS[1] ?? 0);
    await vi.advanceTimersByTimeAsync(REREAD_DELAYS_MS[2] ?? 0);
    expect(reads).toEqual(['tr_1', 'tr_1', 'tr_1']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reads).toHaveLength(3);
  });

  it('gives up after the last pause while still behind', async () => {
    const { reads, rereads } = setUp(() => true);
    rereads.afterEvent('tr_1', '2026-12-05T10:00:00.000Z');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(reads).toHaveLength(REREAD_DELAYS_MS.length);
  });

  it('reads once for a burst of events, one chain per key', async () => {
    const { reads, rereads } = setUp(() => false);
    for (let i = 0; i < 5; i++) rereads.afterEvent('tr_1', '2026-12-05T10:00:00.000Z');
    rereads.afterEvent('tr_2', '2026-12-05T10:00:00.000Z');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reads.sort()).toEqual(['tr_1', 'tr_2']);
  });

  it('readOnce reads at once, replaces the key’s scheduled read and schedules none', async () => {
    const { reads, rereads } = setUp(() => true);
    rereads.afterEvent('tr_1', '2026-12-05T10:00:00.000Z');
    rereads.readOnce('tr_1');
    await settle();
    expect(reads).toEqual(['tr_1']);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(reads).toEqual(['tr_1']);
  });

  it('reads nothing when the page was never read, or after stop', async () => {
    const never = setUp(() => true, false);
    never.rereads.afterEvent('tr_1', '2026-12-05T10:00:00.000Z');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(never.reads).toEqual([]);
    const stopped = setUp(() => true);
    stopped.rereads.afterEvent('tr_1', '2026-12-05T10:00:00.000Z');
    stopped.rereads.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(stopped.reads).toEqual([]);
  });
});
