import { createTransferRequestValidator } from '@interco/contracts';
import { describe, expect, it } from 'vitest';
import { largestRequest } from '../test-support/largest-request.js';
import { largestQuantities, maxBodyBytes } from './body-limit.js';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** The most digits any spread of `serials` over `items` items (each >= 1) can have: brute force. */
function bestDigits(serials: number, items: number): number {
  // best[i][s]: most digits of i items holding s serials
  const best: number[][] = Array.from({ length: items + 1 }, () =>
    Array.from({ length: serials + 1 }, () => Number.NEGATIVE_INFINITY),
  );
  (best[0] as number[])[0] = 0;
  for (let i = 1; i <= items; i++) {
    for (let s = i; s <= serials; s++) {
      let top = Number.NEGATIVE_INFINITY;
      for (let q = 1; q <= s - (i - 1); q++) {
        top = Math.max(top, (best[i - 1]?.[s - q] ?? Number.NEGATIVE_INFINITY) + String(q).length);
      }
      (best[i] as number[])[s] = top;
    }
  }
  return best[items]?.[serials] ?? Number.NEGATIVE_INFINITY;
}

describe('largestQuantities', () => {
  it('spreads the serials so the quantities have the most digits (checked by brute force)', () => {
    for (let serials = 1; serials <= 260; serials++) {
      for (const items of [1, 2, 3, 7, 12, 30]) {
        if (items > serials) continue;
        const quantities = largestQuantities(serials, items);
        expect(quantities).toHaveLength(items);
        expect(quantities.reduce((a, b) => a + b, 0)).toBe(serials);
        expect(Math.min(...quantities)).toBeGreaterThanOrEqual(1);
        const total = quantities.reduce((sum, q) => sum + String(q).length, 0);
        expect(total, `${serials} serials over ${items} items`).toBe(bestDigits(serials, items));
      }
    }
  });

  it('refuses counts that make no request', () => {
    expect(() => largestQuantities(2, 3)).toThrow(RangeError);
    expect(() => largestQuantities(0, 1)).toThrow(RangeError);
  });
});

describe('maxBodyBytes', () => {
  it.each([
    [1, 1],
    [3, 2],
    [5, 5],
    [2, 10],
    [250, 7],
    [1234, 40],
  ])('is the exact size of the largest valid request (%i serials, %i items)', (maxSerials, maxItems) => {
    const caps = { maxSerials, maxItems };
    const body = largestRequest(caps);
    expect(createTransferRequestValidator(caps)(body).ok).toBe(true);
    expect(bytes(body)).toBe(maxBodyBytes(caps));
  });

  it('is about 43 MB at the default caps (100,000 serials, 1,000 items)', () => {
    const limit = maxBodyBytes({ maxSerials: 100_000, maxItems: 1000 });
    expect(limit).toBe(bytes(largestRequest({ maxSerials: 100_000, maxItems: 1000 })));
    expect(limit).toBeGreaterThan(42_000_000);
    expect(limit).toBeLessThan(44_000_000);
  });

  it('grows with each cap', () => {
    const base = maxBodyBytes({ maxSerials: 10, maxItems: 2 });
    expect(maxBodyBytes({ maxSerials: 11, maxItems: 2 })).toBeGreaterThan(base);
    expect(maxBodyBytes({ maxSerials: 10, maxItems: 3 })).toBeGreaterThan(base);
  });

  it('refuses caps below 1', () => {
    expect(() => maxBodyBytes({ maxSerials: 0, maxItems: 1 })).toThrow(RangeError);
    expect(() => maxBodyBytes({ maxSerials: 1, maxItems: 1.5 })).toThrow(RangeError);
  });
});
