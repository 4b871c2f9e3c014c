/**
 * Failures, classified once (docs/pipeline.md): what a step does with whatever its work threw.
 * Pure: the clock, the randomness and the breaker's half-open time are inputs.
 *
 * | what was thrown                                         | action                                                              |
 * | ------------------------------------------------------- | ------------------------------------------------------------------- |
 * | ErpnextError transient, `breaker_open`                  | nak until the breaker half-opens; `waiting` (breaker_open)          |
 * | ErpnextError transient, `rate_limited` (429)            | nak for Retry-After (else backoff); `waiting` (rate_limited)        |
 * | ErpnextError transient, `unavailable`, 503              | nak for Retry-After (else backoff); `waiting` (maintenance)         |
 * | ErpnextError transient, `unavailable`, other 5xx        | nak with backoff; `waiting` (unavailable)                           |
 * | ErpnextError transient, other reasons                   | nak with backoff                                                    |
 * | ErpnextError conflict (read again and retry)            | nak with backoff                                                    |
 * | TransientStepError (e.g. preflight could not read)      | nak with backoff                                                    |
 * | NATS unavailable (natsUnavailable: timeout, connection  | nak with backoff, logged as a transient failure (no stack)          |
 * |   closed or draining, no responders, JetStream 5xx)     |                                                                     |
 * | StoreError conflict (kept losing a compare-and-set)     | nak with backoff                                                    |
 * | anything else (a bug)                                   | nak with backoff, logged with its stack                             |
 * | any of the above past the time budget                   | failed, retryable                                                   |
 * | ErpnextError permanent or auth, MarkerError             | failed, retryable (once a person fixes the cause)                   |
 * | StepFailure                                             | failed, retryable as it says                                        |
 * | StoreError invalid, tampered or missing (a problem      | failed, not retryable: no retry can read it                         |
 * |   record or manifest)                                   |                                                                     |
 * | EventTooLargeError (the outcome does not fit an event)  | failed, not retryable                                               |
 * | LeaseLostError                                          | nak 2-5 s, not a failure, no budget                                 |
 *
 * The budget runs from the input event's `time`: a retry or a cancel (a new event) starts anew.
 */
import type { WaitingReason as WaitingReasonSchema } from '@interco/contracts';
import { ErpnextError, MarkerError } from '@interco/erpnext';
import type { Static } from '@sinclair/typebox';
import { natsUnavailable } from '../nats/nats-unavailable.js';
import { StoreError } from '../stores/store-error.js';
import { EventTooLargeError } from '../stream/event-publisher.js';
import { type BackoffOptions, backoffDelay, leaseHeldDelay } from './backoff.js';
import { type ErrorInfo, errorInfo, type RedactMessages, withMessage } from './error-info.js';
import { LeaseLostError, StepFailure, TransientStepError } from './step-errors.js';

export type WaitingReason = Static<typeof WaitingReasonSchema>;

export interface FailurePolicyInput {
  error: unknown;
  /** JetStream's delivery count of the input (1, 2, ...): the backoff's attempt. */
  deliveryCount: number;
  /** The input event's `time` (RFC 3339): the budget runs from it. */
  inputTime: string;
  now: Date;
  /** How long transient failures are retried from the input's time (ms). */
  budgetMs: number;
  backoff: BackoffOptions;
  /** When the instance's open breaker lets a trial call through (epoch ms), if it is open. */
  breakerHalfOpenAt?: number;
  /** The chunk being worked on when it failed. */
  chunk?: number;
  /** Takes the transfer's serials out of the messages (once the manifest is loaded). */
  redact?: RedactMessages;
  random?: () => number;
}

export interface Waiting {
  reason: WaitingReason;
  next_attempt_at: string;
  detail?: string;
}

export type FailureAction =
  | {
      action: 'nak';
      delayMs: number;
      /** Publish `<step>.waiting` first (forward work only). */
      waiting?: Waiting;
      /** Describes the failure for logs. */
      error: ErrorInfo;
      /** Not counted against anything: another replica holds the lease. */
      leaseLost?: true;
      /** An unexpected error: log its stack. */
      bug?: true;
    }
  | {
      action: 'fail';
      error: ErrorInfo;
      retryable: boolean;
      /** Transient, but the time budget is spent. */
      budgetSpent?: true;
      bug?: true;
    };

export function failureAction(input: FailurePolicyInput): FailureAction {
  const { error, now } = input;
  const random = input.random ?? Math.random;
  const info = errorInfo(error, input.chunk, input.redact);

  if (error instanceof LeaseLostError) {
    return { action: 'nak', delayMs: leaseHeldDelay(random), error: info, leaseLost: true };
  }
  if (error instanceof StepFailure) return { action: 'fail', error: info, retryable: error.retryable };
  if (error instanceof MarkerError) return { action: 'fail', error: info, retryable: true };
  if (error instanceof ErpnextError && (error.kind === 'permanent' || error.kind === 'auth')) {
    return { action: 'fail', error: info, retryable: true };
  }
  if (isProblemStoreError(error)) return { action: 'fail', error: info, retryable: false };
  if (error instanceof EventTooLargeError) return { action: 'fail', error: info, retryable: false };

  // Transient from here on: ErpnextError transient or conflict, TransientStepError, NATS
  // unavailable, a compare-and-set that kept losing, bugs.
  const bug = isBug(error);
  const inputAt = Date.parse(input.inputTime);
  const elapsed = Number.isNaN(inputAt) ? 0 : now.getTime() - inputAt;
  if (elapsed > input.budgetMs) {
    const spent = withMessage(
      info,
      `Interco retried this for ${duration(elapsed)} (the step's time budget is ${duration(input.budgetMs)}) and gave up; a retry starts again once the cause is gone.`,
    );
    return { action: 'fail', error: spent, retryable: true, budgetSpent: true, ...(bug ? { bug } : {}) };
  }

  const backoff = backoffDelay(input.deliveryCount, input.backoff, random);
  if (!(error instanceof ErpnextError) || error.kind !== 'transient') {
    return { action: 'nak', delayMs: backoff, error: info, ...(bug ? { bug } : {}) };
  }

  const reason = waitingReason(error);
  let delayMs = backoff;
  if (error.reason === 'breaker_open') {
    const untilHalfOpen = input.breakerHalfOpenAt === undefined ? 0 : input.breakerHalfOpenAt - now.getTime();
    delayMs = Math.max(input.backoff.minMs, error.retryAfterMs ?? 0, untilHalfOpen);
  } else if (error.retryAfterMs !== undefined) {
    delayMs = Math.max(input.backoff.minMs, error.retryAfterMs);
  }
  delayMs = Math.round(delayMs);
  if (reason === undefined) return { action: 'nak', delayMs, error: info };
  const waiting: Waiting = {
    reason,
    next_attempt_at: new Date(now.getTime() + delayMs).toISOString(),
    detail: error.describe().slice(0, 1000),
  };
  return { action: 'nak', delayMs, waiting, error: info };
}

/** A stored record or manifest that no retry can read: invalid, tampered with, or missing. */
export function isProblemStoreError(error: unknown): error is StoreError {
  return (
    error instanceof StoreError &&
    (error.kind === 'invalid' || error.kind === 'tampered' || error.kind === 'missing')
  );
}

/** Not one of the failures the runtime expects: logged with its stack. */
export function isBug(error: unknown): boolean {
  return !(
    error instanceof ErpnextError ||
    error instanceof MarkerError ||
    error instanceof StepFailure ||
    error instanceof TransientStepError ||
    error instanceof LeaseLostError ||
    error instanceof StoreError ||
    error instanceof EventTooLargeError ||
    natsUnavailable(error)
  );
}

/** The `<step>.waiting` reason of a transient ERPNext error, if it is one worth telling. */
export function waitingReason(error: ErpnextError): WaitingReason | undefined {
  if (error.kind !== 'transient') return undefined;
  if (error.reason === 'breaker_open') return 'breaker_open';
  if (error.reason === 'rate_limited') return 'rate_limited';
  if (error.reason === 'unavailable') return error.status === 503 ? 'maintenance' : 'unavailable';
  return undefined;
}

function duration(ms: number): string {
  if (ms >= 3_600_000) return `${Math.round((ms / 3_600_000) * 10) / 10} h`;
  if (ms >= 60_000) return `${Math.round((ms / 60_000) * 10) / 10} min`;
  return `${Math.round(ms / 100) / 10} s`;
}
