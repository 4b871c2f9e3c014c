import { describe, expect, it } from 'vitest';
import { serialMatches, serialSlice } from './serial-page.js';

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

describe('serialMatches', () => {
  const pins = {
    items: [
      { item_code: 'A', serials: ['PIN-10', 'pin-11', 'X-1'] },
      { item_code: 'B', serials: ['Y-2'] },
      { item_code: 'C', serials: ['xpin-12', 'PIN-20'] },
    ],
  };

  it('keeps the serials containing the text, whatever its case, in the manifest’s order', () => {
    expect(serialMatches(pins, 'pin-1', 0, 10)).toEqual({
      total: 3,
      serials: [
        { item_code: 'A', serial: 'PIN-10' },
        { item_code: 'A', serial: 'pin-11' },
        { item_code: 'C', serial: 'xpin-12' },
      ],
      nextOffset: undefined,
    });
    expect(serialMatches(pins, 'Y-2', 0, 10).serials).toEqual([{ item_code: 'B', serial: 'Y-2' }]);
    expect(serialMatches(pins, 'none', 0, 10)).toEqual({ total: 0, serials: [], nextOffset: undefined });
  });

  it('pages over the matches only: the offset counts matches, total is their number', () => {
    expect(serialMatches(pins, 'PIN', 0, 2)).toEqual({
      total: 4,
      serials: [
        { item_code: 'A', serial: 'PIN-10' },
        { item_code: 'A', serial: 'pin-11' },
      ],
      nextOffset: 2,
    });
    expect(serialMatches(pins, 'PIN', 2, 2)).toEqual({
      total: 4,
      serials: [
        { item_code: 'C', serial: 'xpin-12' },
        { item_code: 'C', serial: 'PIN-20' },
      ],
      nextOffset: undefined,
    });
    expect(serialMatches(pins, 'PIN', 9, 2)).toEqual({ total: 4, serials: [], nextOffset: undefined });
  });

  it('matches every serial for text they all share, like serialSlice', () => {
    expect(serialMatches(manifest, '', 1, 3)).toEqual(serialSlice(manifest, 1, 3));
  });
});
