import type { TransferRecord } from '@interco/bus';
import type { IntercoEvent, Step, TransferState } from '@interco/contracts';

/**
 * Whether a retry or a cancel is allowed, from the transfer's state (its history folded with
 * `evolve`) and its record (intake's control state). Pure; the sentences are the 409's message.
 */

export type RetryDecision =
  /** Re-drive the failed step: generation + 1, `transfer.retry_requested {step}`. */
  | { ok: true; kind: 'retry'; step: Step }
  /** Run the compensation again from pr-b: generation + 1, `transfer.cancel_requested`. */
  | { ok: true; kind: 'cancel_again' }
  | { ok: false; reason: string };

export type CancelDecision =
  /** Generation + 1, status cancelling, `transfer.cancel_requested`; a completed transfer's serials are reserved again first. */
  | { ok: true; kind: 'cancel'; reserveAgain: boolean }
  /**
   * The record says cancelling at its generation but the stream has no cancel_requested of that
   * generation (its publish failed): publish it now, same generation (a copy that did land is
   * dropped by the duplicate window).
   */
  | { ok: true; kind: 'republish' }
  | { ok: false; reason: string };

const RETRYABLE = 'only a failed transfer, or one whose cancel failed, can be retried';

export function decideRetry(state: TransferState | undefined, record: TransferRecord): RetryDecision {
  const id = record.transfer_id;
  if (state === undefined) return { ok: false, reason: `transfer ${id} has no events yet: ${RETRYABLE}` };
  if (state.status === 'failed') {
    if (record.status !== 'active') {
      return {
        ok: false,
        reason: `transfer ${id} is ${record.status}: a transfer being cancelled is not retried`,
      };
    }
    if (state.failed_step === undefined) {
      return { ok: false, reason: `transfer ${id} failed, but its history does not say at which step` };
    }
    return { ok: true, kind: 'retry', step: state.failed_step };
  }
  if (state.status === 'cancel_failed') {
    if (record.status !== 'cancelling') {
      return { ok: false, reason: `transfer ${id} is ${record.status}: there is no cancel to retry` };
    }
    return { ok: true, kind: 'cancel_again' };
  }
  return { ok: false, reason: `transfer ${id} is ${describe(state.status)}: ${RETRYABLE}` };
}

export function decideCancel(
  state: TransferState | undefined,
  record: TransferRecord,
  history: readonly IntercoEvent[],
): CancelDecision {
  const id = record.transfer_id;
  if (record.status === 'cancelled' || state?.status === 'cancelled') {
    return { ok: false, reason: `transfer ${id} is cancelled already` };
  }
  if (record.status === 'cancelling') {
    const published = history.some(
      (event) => event.type === 'transfer.cancel_requested' && event.generation === record.generation,
    );
    if (!published) return { ok: true, kind: 'republish' };
    if (state?.status === 'cancel_failed') return { ok: true, kind: 'cancel', reserveAgain: false };
    return {
      ok: false,
      reason: `transfer ${id} is being cancelled already (if its cancel fails, retry it with POST /v1/transfers/${id}/retry)`,
    };
  }
  if (state?.status === 'cancelling')
    return { ok: false, reason: `transfer ${id} is being cancelled already` };
  return { ok: true, kind: 'cancel', reserveAgain: record.status === 'completed' };
}

function describe(status: TransferState['status']): string {
  switch (status) {
    case 'in_progress':
      return 'in progress';
    case 'cancel_failed':
      return 'cancel failed';
    default:
      return status;
  }
}
