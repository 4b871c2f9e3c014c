import { describe, expect, it } from 'vitest';
import { staleCountsSeconds } from './counts-age.js';

describe('staleCountsSeconds', () => {
  const now = new Date('2026-12-05T12:00:00.000Z');
  it('is undefined for counts up to 30 s old (and for a time it cannot read)', () => {
    expect(staleCountsSeconds('2026-12-05T12:00:00.000Z', now)).toBeUndefined();
    expect(staleCountsSeconds('2026-12-05T11:59:30.000Z', now)).toBeUndefined();
    expect(staleCountsSeconds('not a time', now)).toBeUndefined();
  });
  it('is the age in whole seconds beyond 30 s', () => {
    expect(staleCountsSeconds('2026-12-05T11:59:29.500Z', now)).toBe(30);
    expect(staleCountsSeconds('2026-12-05T11:58:00.000Z', now)).toBe(120);
  });
});
