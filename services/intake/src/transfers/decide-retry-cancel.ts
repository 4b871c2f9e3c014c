import type { TransferRecord } from '@interco/bus';
import type { IntercoEvent, Step, TransferState } from '@interco/contracts';

/**
 * Whether a retry or a cancel is allowed, from the transfer's state (its history folded with
 * `evolve`) and its record (intake's control state). Pure; the sentences are the 409's message.
 */

/**
 * The request event the record's generation stands for but the stream lacks (its publish failed
 * after the record was written): `transfer.requested` (an active record at generation 1),
 * `transfer.retry_requested` of the failed step (active at a later generation: only a retry
 * makes that), `transfer.cancel_requested` (cancelling). Publishing it at the record's
 * generation finishes the request; its message id (transfer, type, generation) makes a copy
 * that did land inside the duplicate window a no-op.
 */
export type MissingRequest =
  | { type: 'transfer.requested' }
  | { type: 'transfer.retry_requested'; step: Step }
  | { type: 'transfer.cancel_requested' };

export function missingRequest(
  state: TransferState | undefined,
  record: TransferRecord,
  history: readonly IntercoEvent[],
): MissingRequest | undefined {
  const published = (type: IntercoEvent['type']) =>
    history.some((event) => event.type === type && event.generation === record.generation);
  if (record.status === 'cancelling') {
    return published('transfer.cancel_requested') ? undefined : { type: 'transfer.cancel_requested' };
  }
  if (record.status !== 'active') return undefined;
  if (record.generation === 1) {
    return published('transfer.requested') ? undefined : { type: 'transfer.requested' };
  }
  if (published('transfer.retry_requested')) return undefined;
  // The retry re-drives the step that failed: the state still says which (nothing of the new
  // generation has happened without its event).
  if (state?.status !== 'failed' || state.failed_step === undefined) return undefined;
  return { type: 'transfer.retry_requested', step: state.failed_step };
}

export type RetryDecision =
  /** Re-drive the failed step: generation + 1, `transfer.retry_requested {step}`. */
  | { ok: true; kind: 'retry'; step: Step }
  /** Run the compensation again from pr-b: generation + 1, `transfer.cancel_requested`. */
  | { ok: true; kind: 'cancel_again' }
  /** The record moved already (an earlier request) but its event is missing: publish it, same generation. */
  | { ok: true; kind: 'republish'; missing: MissingRequest }
  | { ok: false; reason: string };

export type CancelDecision =
  /**
   * Generation + 1, status cancelling, `transfer.cancel_requested`. `reserveAgain`: a completed
   * transfer's serials are taken back first (the record `reclaiming` meanwhile); also a
   * reclaim left `reclaiming` longer than RECLAIM_STALE_MS (the request that began it died).
   */
  | { ok: true; kind: 'cancel'; reserveAgain: boolean }
  /**
   * The record says cancelling at its generation but the stream has no cancel_requested of that
   * generation (its publish failed): publish it now, same generation (a copy that did land is
   * dropped by the duplicate window).
   */
  | { ok: true; kind: 'republish' }
  | { ok: false; reason: string; retryAfterSeconds?: number };

/**
 * How long a record may stay `reclaiming` before the request that set it counts as gone: a
 * cancel then takes the reclaim over, and its serials no longer count as held (holderState).
 * Taking back 100,000 serials takes seconds.
 */
export const RECLAIM_STALE_MS = 2 * 60 * 1000;

/** Whether a `reclaiming` record's reclaim is older than RECLAIM_STALE_MS. */
export function reclaimIsStale(record: Pick<TransferRecord, 'status' | 'updated_at'>, at: Date): boolean {
  return record.status === 'reclaiming' && at.getTime() - Date.parse(record.updated_at) > RECLAIM_STALE_MS;
}

const RETRYABLE = 'only a failed transfer, or one whose cancel failed, can be retried';

/** Why a transfer whose record is not active is not retried, in words for its status. */
function notRetried(id: string, status: TransferRecord['status']): string {
  switch (status) {
    case 'cancelling':
      return `transfer ${id} is being cancelled: a transfer being cancelled is not retried`;
    case 'reclaiming':
      return `transfer ${id} is being cancelled (its serials are being taken back): a transfer being cancelled is not retried`;
    case 'completed':
      return `transfer ${id} is completed: there is nothing to retry (cancel it to undo it)`;
    case 'cancelled':
      return `transfer ${id} is cancelled: a cancelled transfer is not retried`;
    default:
      return `transfer ${id} is ${status}: ${RETRYABLE}`;
  }
}

export function decideRetry(
  state: TransferState | undefined,
  record: TransferRecord,
  history: readonly IntercoEvent[],
): RetryDecision {
  const id = record.transfer_id;
  const missing = missingRequest(state, record, history);
  // A retry finishes a request the record holds and the stream lacks: the transfer itself, an
  // earlier retry, or the compensation an earlier retry of a failed cancel started.
  if (
    missing !== undefined &&
    (missing.type !== 'transfer.cancel_requested' || state?.status === 'cancel_failed')
  ) {
    return { ok: true, kind: 'republish', missing };
  }
  if (state === undefined) return { ok: false, reason: `transfer ${id} has no events yet: ${RETRYABLE}` };
  if (state.status === 'failed') {
    if (record.status !== 'active') return { ok: false, reason: notRetried(id, record.status) };
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
  at: Date = new Date(),
): CancelDecision {
  const id = record.transfer_id;
  if (record.status === 'cancelled' || state?.status === 'cancelled') {
    return { ok: false, reason: `transfer ${id} is cancelled already` };
  }
  if (record.status === 'cancelling') {
    if (missingRequest(state, record, history) !== undefined) return { ok: true, kind: 'republish' };
    if (state?.status === 'cancel_failed') return { ok: true, kind: 'cancel', reserveAgain: false };
    return {
      ok: false,
      reason: `transfer ${id} is being cancelled already (if its cancel fails, retry it with POST /v1/transfers/${id}/retry)`,
    };
  }
  if (record.status === 'reclaiming') {
    if (reclaimIsStale(record, at)) return { ok: true, kind: 'cancel', reserveAgain: true };
    return {
      ok: false,
      reason: `transfer ${id} is being cancelled already: its serials are being taken back (if that request failed, ask again in ${Math.round(RECLAIM_STALE_MS / 60_000)} minutes)`,
      retryAfterSeconds: 5,
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
