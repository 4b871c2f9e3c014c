/**
 * The signals that stop a stack gracefully: Ctrl-C, `kill -TERM`, and SIGHUP (the terminal was
 * closed; without a handler node would die at once and leave every child running, since they
 * run in their own process groups).
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Calls `handler` on each stop signal. Output to a terminal that is gone (after SIGHUP) or to a
 * closed pipe fails with EIO / EPIPE: such failures are ignored rather than ending the process
 * in the middle of the stop.
 */
export function onStopSignals(handler: (signal: NodeJS.Signals) => void): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
}
