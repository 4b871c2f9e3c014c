import type { Logger } from '@interco/service';

export interface StuckReporterOptions {
  /** How many transfers are stuck now. */
  readonly stuckCount: () => Promise<number>;
  readonly logger: Pick<Logger, 'warn' | 'debug'>;
  /** Default 60 s. */
  readonly intervalMs?: number;
}

/**
 * Logs how many transfers are stuck, every minute, when there are any (docs/tracker.md: stuck
 * is derived at query time, so nothing else needs to run). Answers stop().
 */
export function startStuckReporter(options: StuckReporterOptions): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    options
      .stuckCount()
      .then((stuck) => {
        if (stuck > 0)
          options.logger.warn({ stuck }, `${stuck} transfer${stuck === 1 ? ' is' : 's are'} stuck`);
      })
      .catch((error: unknown) =>
        options.logger.debug({ err: String(error) }, 'counting stuck transfers failed'),
      )
      .finally(() => {
        running = false;
      });
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
