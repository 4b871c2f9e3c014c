import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startStuckReporter } from './stuck-reporter.js';

describe('startStuckReporter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the stuck count every interval when it is not zero', async () => {
    const counts = [0, 3];
    const warn = vi.fn();
    const stop = startStuckReporter({
      stuckCount: async () => counts.shift() ?? 0,
      logger: { warn, debug: vi.fn() },
      intervalMs: 60_000,
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(warn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(warn).toHaveBeenCalledWith({ stuck: 3 }, '3 transfers are stuck');
    stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
