import { describe, expect, it } from 'vitest';
import { BoundedSet } from './bounded-set.js';

describe('BoundedSet', () => {
  it('keeps at most its capacity, dropping the oldest added first', () => {
    const set = new BoundedSet<string>(3);
    for (const id of ['a', 'b', 'c', 'd']) set.add(id);
    expect(set.size).toBe(3);
    expect([...set]).toEqual(['b', 'c', 'd']);
    expect(set.has('a')).toBe(false);
  });

  it('holds 10,000 ids however many are added (a page open for days)', () => {
    const set = new BoundedSet<string>(10_000);
    for (let i = 0; i < 25_000; i++) set.add(`tr_${i}`);
    expect(set.size).toBe(10_000);
    expect(set.has('tr_14999')).toBe(false);
    expect(set.has('tr_15000')).toBe(true);
    expect(set.has('tr_24999')).toBe(true);
  });

  it('deletes a value (counted), and adding one again makes it the newest', () => {
    const set = new BoundedSet<string>(2);
    set.add('a').add('b');
    expect(set.delete('a')).toBe(true);
    expect(set.delete('a')).toBe(false);
    set.add('c');
    expect([...set]).toEqual(['b', 'c']);
    set.add('b');
    set.add('d');
    expect([...set]).toEqual(['b', 'd']);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedSet(0)).toThrow(RangeError);
  });
});
