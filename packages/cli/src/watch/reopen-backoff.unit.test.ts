import { describe, expect, it } from 'vitest';
import { ReopenBackoff } from './reopen-backoff.js';

describe('ReopenBackoff', () => {
  it('doubles the pause while streams keep ending at once, up to the most; a note only when it grows', () => {
    let now = 0;
    const backoff = new ReopenBackoff(1_000, 30_000, () => now);
    const pauses = [];
    for (let i = 0; i < 8; i++) {
      backoff.opened();
      now += 5;
      const pause = backoff.ended();
      pauses.push(pause);
      now += pause.delayMs;
    }
    expect(pauses.map((pause) => pause.delayMs)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
    expect(pauses.map((pause) => pause.longer)).toEqual([true, true, true, true, true, true, false, false]);
  });

  it('starts over at the least pause after a stream that lasted', () => {
    let now = 0;
    const backoff = new ReopenBackoff(1_000, 30_000, () => now);
    for (let i = 0; i < 3; i++) {
      backoff.opened();
      backoff.ended();
    }
    backoff.opened();
    now += 30_000;
    expect(backoff.ended()).toEqual({ delayMs: 1_000, longer: true });
  });
});
