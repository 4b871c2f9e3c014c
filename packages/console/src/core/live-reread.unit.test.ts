import { describe, expect, it } from 'vitest';
import { isBehind, REREAD_DELAYS_MS } from './live-reread.js';

describe('isBehind', () => {
  it('says a view older than the event is behind', () => {
    expect(isBehind('2026-12-05T10:00:00.000Z', '2026-12-05T10:00:00.001Z')).toBe(true);
    expect(isBehind('2026-12-05T10:00:00.001Z', '2026-12-05T10:00:00.001Z')).toBe(false);
    expect(isBehind('2026-12-05T10:00:01Z', '2026-12-05T10:00:00Z')).toBe(false);
    expect(isBehind('nonsense', '2026-12-05T10:00:00Z')).toBe(false);
  });

  it('reads again a bounded number of times, waiting longer each time, for up to a minute', () => {
    expect(REREAD_DELAYS_MS.length).toBeLessThanOrEqual(8);
    const total = REREAD_DELAYS_MS.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBeGreaterThanOrEqual(30_000);
    expect(total).toBeLessThanOrEqual(60_000);
    expect([...REREAD_DELAYS_MS].sort((a, b) => a - b)).toEqual(REREAD_DELAYS_MS);
  });
});
