import { describe, expect, it } from 'vitest';
import { mayBeReplayed, sequenceOf } from './live-position.js';

describe('sequenceOf', () => {
  it('reads a whole number as the tracker writes it, nothing else', () => {
    expect(sequenceOf('0')).toBe(0);
    expect(sequenceOf('1234')).toBe(1234);
    expect(sequenceOf(' 42 ')).toBe(42);
    for (const text of ['', '-1', '1.5', '1e3', '0x10', '012', 'abc', '99999999999999999', null, undefined])
      expect(sequenceOf(text)).toBeUndefined();
  });
});

describe('mayBeReplayed', () => {
  it('is true for an event at or before the stream’s last sequence at its open', () => {
    expect(mayBeReplayed('118', 120)).toBe(true);
    expect(mayBeReplayed('120', 120)).toBe(true);
    expect(mayBeReplayed('121', 120)).toBe(false);
  });

  it('without a last_seq or a usable id, takes every event as new (as before)', () => {
    expect(mayBeReplayed('5', undefined)).toBe(false);
    expect(mayBeReplayed(undefined, 120)).toBe(false);
    expect(mayBeReplayed('abc', 120)).toBe(false);
  });
});
