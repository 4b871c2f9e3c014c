import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAmount } from './decimal.js';

describe('parseAmount', () => {
  it('reads the text of a JSON number, without arithmetic', () => {
    expect(parseAmount(0.1)).toEqual({ ok: true, value: '0.10' });
    expect(parseAmount(1.15)).toEqual({ ok: true, value: '1.15' });
    expect(parseAmount(-0)).toEqual({ ok: true, value: '0.00' });
    expect(parseAmount('-0.00')).toEqual({ ok: true, value: '0.00' });
  });

  it('gives the same canonical amount for a number and its decimal string, for every amount in range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 99_999_999_999_999n }), (cents) => {
        const text = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
        expect(parseAmount(text)).toEqual({ ok: true, value: text });
        expect(parseAmount(Number(text))).toEqual({ ok: true, value: text });
      }),
    );
  });

  it('rejects a third decimal that is not zero', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 11n }), fc.integer({ min: 1, max: 9 }), (whole, third) => {
        expect(parseAmount(`${whole}.12${third}`)).toEqual({
          ok: false,
          message: 'must have at most 2 decimal places',
        });
      }),
    );
  });
});
