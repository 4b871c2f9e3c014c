import { describe, expect, it } from 'vitest';
import { serialSlice } from './serial-page.js';

const manifest = {
  items: [
    { item_code: 'A', serials: ['a1', 'a2', 'a3'] },
    { item_code: 'B', serials: ['b1'] },
    { item_code: 'C', serials: ['c1', 'c2'] },
  ],
};

describe('serialSlice', () => {
  it('pages over the items in order, with where the next page starts', () => {
    expect(serialSlice(manifest, 0, 2)).toEqual({
      total: 6,
      serials: [
        { item_code: 'A', serial: 'a1' },
        { item_code: 'A', serial: 'a2' },
      ],
      nextOffset: 2,
    });
    expect(serialSlice(manifest, 2, 3).serials).toEqual([
      { item_code: 'A', serial: 'a3' },
      { item_code: 'B', serial: 'b1' },
      { item_code: 'C', serial: 'c1' },
    ]);
    expect(serialSlice(manifest, 5, 3)).toEqual({
      total: 6,
      serials: [{ item_code: 'C', serial: 'c2' }],
      nextOffset: undefined,
    });
  });

  it('answers an empty last page past the end', () => {
    expect(serialSlice(manifest, 10, 5)).toEqual({ total: 6, serials: [], nextOffset: undefined });
  });
});
