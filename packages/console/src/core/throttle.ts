/**
 * At most one run per `intervalMs`, the last ask always honoured: an ask when the last run is
 * older than the interval runs at once; asks within the interval are folded into one run at the
 * interval's end (so a busy stream still refreshes, at a bounded rate). Pure: the clock and its
 * timers are given (the page passes the browser's, the tests a fake one).
 */

export interface TimerClock {
  /** Milliseconds on a monotonic clock (never the wall clock: it can be stepped back). */
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

/**
 * The browser's monotonic clock (performance.now(): never stepped by NTP or the user, unlike
 * Date.now(), whose backward step would hold every throttled request back by that much).
 */
export const BROWSER_CLOCK: TimerClock = {
  now: () => performance.now(),
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
      // A clock behind the last run (a given clock that was stepped back): the interval is over.
      if (lastRun === undefined || now - lastRun >= intervalMs || now < lastRun) {
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
