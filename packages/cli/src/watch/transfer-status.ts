import type { TransferView } from '../api/schemas.js';

/** The statuses a transfer rests in until someone acts (docs/running.md: watch ends there). */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'completed',
  'cancelled',
  'failed',
  'cancel_failed',
]);

/** The final statuses that are a success for the exit code (0); the others exit 1. */
export const SUCCESS_STATUSES: ReadonlySet<string> = new Set(['completed', 'cancelled']);

/** Whether a watch is over: a final status, in the generation the watch waits for (or a later one). */
export function isFinal(view: TransferView, minGeneration = 1): boolean {
  return FINAL_STATUSES.has(view.status) && view.generation >= minGeneration;
}

/** The exit code of a transfer that ended: 0 completed or cancelled, 1 failed or cancel_failed. */
export function exitCodeOfStatus(status: string): number {
  return SUCCESS_STATUSES.has(status) ? 0 : 1;
}
