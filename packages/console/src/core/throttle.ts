/**
 * At most one run per `intervalMs`, the last ask always honoured: an ask when the last run is
 * older than the interval runs at once; asks within the interval are folded into one run at the
 * interval's end (so a busy stream still refreshes, at a bounded rate). Pure: the clock and its
 * timers are given (the page passes the browser's, the tests a fake one).
 */

export interface TimerClock {
  now(): number;
  setTimer(run: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface Throttle {
  /** Asks for a run. */
  ask(): void;
  /** Drops the run waiting (if any); later asks work again. */
  cancel(): void;
}

export const BROWSER_CLOCK: TimerClock = {
  now: () => Date.now(),
  setTimer: (run, delayMs) => setTimeout(run, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function throttle(run: () => void, intervalMs: number, clock: TimerClock = BROWSER_CLOCK): Throttle {
  let lastRun: number | undefined;
  let waiting: unknown;
  const fire = () => {
    waiting = undefined;
    lastRun = clock.now();
    run();
  };
  return {
    ask() {
      if (waiting !== undefined) return;
      const now = clock.now();
      if (lastRun === undefined || now - lastRun >= intervalMs) {
        fire();
        return;
      }
      waiting = clock.setTimer(fire, lastRun + intervalMs - now);
    },
    cancel() {
      if (waiting !== undefined) clock.clearTimer(waiting);
      waiting = undefined;
    },
  };
}
