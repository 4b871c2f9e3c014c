import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF, leaseHeldDelay } from './backoff.js';

describe('backoff', () => {
  it('doubles the ceiling from 1 s up to 60 s', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => backoffCeiling(n, DEFAULT_BACKOFF));
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('draws the delay uniformly between the minimum and the ceiling (full jitter)', () => {
    expect(backoffDelay(5, DEFAULT_BACKOFF, () => 0)).toBe(1_000);
    expect(backoffDelay(5, DEFAULT_BACKOFF, () => 0.5)).toBe(8_500);
    expect(backoffDelay(5, DEFAULT_BACKOFF, () => 0.999_999)).toBe(16_000);
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0.7)).toBe(1_000);
  });

  it('stays within its bounds for any attempt and random value', () => {
    for (const attempt of [0, 1, 2, 10, 1_000, Number.MAX_SAFE_INTEGER]) {
      for (const r of [0, 0.25, 0.5, 0.99]) {
        const delay = backoffDelay(attempt, { minMs: 500, maxMs: 30_000 }, () => r);
        expect(delay).toBeGreaterThanOrEqual(500);
        expect(delay).toBeLessThanOrEqual(30_000);
      }
    }
  });

  it('treats a maximum below the minimum as the minimum', () => {
    expect(backoffDelay(9, { minMs: 2_000, maxMs: 1_000 }, () => 0.9)).toBe(2_000);
  });

  it('waits 2 to 5 s for a lease held by another worker', () => {
    expect(leaseHeldDelay(() => 0)).toBe(2_000);
    expect(leaseHeldDelay(() => 0.5)).toBe(3_500);
    expect(leaseHeldDelay(() => 0.999_999)).toBe(5_000);
  });
});
