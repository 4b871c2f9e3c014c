import { afterEach, describe, expect, it, vi } from 'vitest';
import { BROWSER_CLOCK, type TimerClock, throttle } from './throttle.js';

/** A clock whose time moves only when the test says (`advance`), firing the timers due. */
function fakeClock(): TimerClock & { advance(ms: number): void; step(ms: number): void; pending(): number } {
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
    /** Sets the clock by `ms` (negative: back) without any time passing: no timer fires. */
    step(ms) {
      now += ms;
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

describe('throttle when the clock is stepped back', () => {
  it('runs at once after a backward step instead of waiting the step out', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const counts = throttle(() => runs.push(clock.now()), 5000, clock);
    clock.advance(3_600_000);
    counts.ask();
    clock.advance(6000);
    // An hour back (an NTP correction, a user changing the time).
    clock.step(-3_600_000);
    counts.ask();
    expect(runs).toEqual([3_600_000, 6000]);
    // And the interval holds from that run on.
    counts.ask();
    clock.advance(4999);
    expect(runs).toHaveLength(2);
    clock.advance(1);
    expect(runs).toEqual([3_600_000, 6000, 11_000]);
  });
});

describe('BROWSER_CLOCK', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is monotonic: a wall clock stepped back neither moves it back nor holds the throttle', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    vi.setSystemTime(new Date('2026-12-05T12:00:00Z'));
    const runs: number[] = [];
    const counts = throttle(() => runs.push(runs.length), 5000, BROWSER_CLOCK);
    counts.ask();
    vi.advanceTimersByTime(1000);
    const before = BROWSER_CLOCK.now();
    // The wall clock goes back an hour, one second after the run.
    vi.setSystemTime(new Date('2026-12-05T11:00:01Z'));
    expect(BROWSER_CLOCK.now()).toBeGreaterThanOrEqual(before);
    counts.ask();
    expect(runs).toEqual([0]);
    // The ask is sent at the end of the interval, 4 s later, not an hour later.
    vi.advanceTimersByTime(4000);
    expect(runs).toEqual([0, 1]);
  });
});
