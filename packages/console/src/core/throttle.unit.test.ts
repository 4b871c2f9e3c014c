import { describe, expect, it } from 'vitest';
import { type TimerClock, throttle } from './throttle.js';

/** A clock whose time moves only when the test says (`advance`), firing the timers due. */
function fakeClock(): TimerClock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; run: () => void }>();
  return {
    now: () => now,
    setTimer(run, delayMs) {
      const id = next++;
      timers.set(id, { at: now + delayMs, run });
      return id;
    },
    clearTimer(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, timer]) => timer.at <= end)
          .sort((x, y) => x[1].at - y[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].run();
      }
      now = end;
    },
    pending: () => timers.size,
  };
}

describe('throttle', () => {
  it('runs the first ask at once', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const counts = throttle(() => runs.push(clock.now()), 5000, clock);
    counts.ask();
    expect(runs).toEqual([0]);
  });

  it('folds the asks within the interval into one run at its end, the last always honoured', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const counts = throttle(() => runs.push(clock.now()), 5000, clock);
    counts.ask();
    clock.advance(1000);
    counts.ask();
    clock.advance(1000);
    counts.ask();
    counts.ask();
    expect(runs).toEqual([0]);
    clock.advance(3000);
    expect(runs).toEqual([0, 5000]);
    expect(clock.pending()).toBe(0);
  });

  it('never runs more than once per interval under a steady stream of asks (no starvation either)', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const counts = throttle(() => runs.push(clock.now()), 5000, clock);
    for (let at = 0; at < 30_000; at += 100) {
      counts.ask();
      clock.advance(100);
    }
    clock.advance(5000);
    expect(runs).toEqual([0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000]);
    for (let i = 1; i < runs.length; i++)
      expect((runs[i] ?? 0) - (runs[i - 1] ?? 0)).toBeGreaterThanOrEqual(5000);
  });

  it('runs at once again when the last run is older than the interval', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const counts = throttle(() => runs.push(clock.now()), 5000, clock);
    counts.ask();
    clock.advance(7000);
    counts.ask();
    expect(runs).toEqual([0, 7000]);
  });

  it('cancel drops the waiting run', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const counts = throttle(() => runs.push(clock.now()), 5000, clock);
    counts.ask();
    counts.ask();
    counts.cancel();
    clock.advance(10_000);
    expect(runs).toEqual([0]);
    counts.ask();
    expect(runs).toEqual([0, 10_000]);
  });
});
