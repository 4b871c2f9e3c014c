import { describe, expect, it, vi } from 'vitest';
import { withinTime } from './within-time.js';

const late = () => new Error('too late');

describe('withinTime', () => {
  it('answers the value of work that settles in time, and clears its timer', async () => {
    vi.useFakeTimers();
    try {
      const answer = withinTime(async () => 7, 1_000, late);
      await expect(answer).resolves.toBe(7);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects with late() once timeoutMs pass first; a later outcome is dropped', async () => {
    vi.useFakeTimers();
    try {
      let fail: (error: Error) => void = () => undefined;
      const work = new Promise<number>((_, reject) => {
        fail = reject;
      });
      const answer = withinTime(() => work, 50, late);
      const settled = expect(answer).rejects.toThrow('too late');
      await vi.advanceTimersByTimeAsync(50);
      await settled;
      // a failure after the time-out is nobody's: not an unhandled rejection
      fail(new Error('JetStream answered at last, with an error'));
      await vi.advanceTimersByTimeAsync(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects with the error of work that fails in time, thrown or rejected', async () => {
    await expect(
      withinTime(
        () => {
          throw new Error('thrown at once');
        },
        1_000,
        late,
      ),
    ).rejects.toThrow('thrown at once');
    await expect(withinTime(() => Promise.reject(new Error('failed')), 1_000, late)).rejects.toThrow(
      'failed',
    );
  });

  it('takes plain values too', async () => {
    await expect(withinTime(() => 'now', 1_000, late)).resolves.toBe('now');
  });
});
