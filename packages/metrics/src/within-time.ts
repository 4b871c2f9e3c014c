/**
 * The outcome of `work`, or a rejection with `late()` when it has not settled within `timeoutMs`.
 * `work` is started at once (one that throws rejects like one that fails later); the timer is
 * cleared either way; an outcome that comes after the time-out is dropped (a late failure is not
 * an unhandled rejection). The work itself is not stopped: give it its own time limit if it has
 * one (a query's maxTimeMS).
 */
export async function withinTime<T>(
  work: () => T | PromiseLike<T>,
  timeoutMs: number,
  late: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), timeoutMs);
  });
  const outcome = new Promise<T>((resolve) => resolve(work()));
  try {
    return await Promise.race([outcome, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
