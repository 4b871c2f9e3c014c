import type { Logger } from '../logging/logger.js';

export interface ShutdownOptions {
  /** After the first signal, exit 1 if `stop` has not finished by then (default 30 s). */
  timeoutMs?: number;
  /** How to exit (default `process.exit`); tests pass a spy. */
  exit?: (code: number) => void;
  /** The signals handled (default SIGTERM and SIGINT). */
  signals?: readonly NodeJS.Signals[];
}

/**
 * Graceful shutdown: on the first SIGTERM or SIGINT, runs `stop(signal)` once and exits 0 when it
 * resolves (1 when it rejects). A second signal, or `timeoutMs` without `stop` finishing, exits 1
 * at once. Every step is logged. Returns a function that removes the handlers (for tests).
 */
export function onShutdown(
  logger: Logger,
  stop: (signal: string) => Promise<void>,
  options: ShutdownOptions = {},
): () => void {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  let exited = false;
  let timer: NodeJS.Timeout | undefined;

  const finish = (code: number) => {
    if (exited) return;
    exited = true;
    clearTimeout(timer);
    exit(code);
  };

  const handler = (signal: NodeJS.Signals) => {
    if (exited) return;
    if (stopping) {
      logger.warn({ signal }, 'second signal while stopping: exiting now');
      finish(1);
      return;
    }
    stopping = true;
    const started = Date.now();
    logger.info({ signal, timeout_ms: timeoutMs }, 'shutting down');
    timer = setTimeout(() => {
      logger.error({ timeout_ms: timeoutMs }, 'shutdown did not finish in time: exiting');
      finish(1);
    }, timeoutMs);
    Promise.resolve()
      .then(() => stop(signal))
      .then(
        () => {
          logger.info({ duration_ms: Date.now() - started }, 'stopped');
          finish(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          finish(1);
        },
      );
  };

  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
    clearTimeout(timer);
  };
}
