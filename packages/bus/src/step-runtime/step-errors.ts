/**
 * The errors a step definition (or the runtime) throws on purpose. ERPNext's own errors are
 * ErpnextError and MarkerError (packages/erpnext); anything else is treated as a bug: transient,
 * logged with its stack, retried within the time budget.
 */

export interface StepFailureOptions {
  /** Whether a retry can succeed once a person has fixed the cause. Default false. */
  retryable?: boolean;
  /** The chunk the failure concerns, when it is one chunk's. */
  chunk?: number;
}

/**
 * The step cannot go on until a person acts: published as `<step>.failed` (or
 * `<step>.cancel_failed`) with these messages, for the operator. Messages never carry serials.
 */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  readonly messages: string[];
  readonly retryable: boolean;
  readonly chunk?: number;

  constructor(messages: string[], options: StepFailureOptions = {}) {
    super(messages.join(' ') || 'the step failed');
    this.messages = messages.length > 0 ? [...messages] : ['the step failed'];
    this.retryable = options.retryable ?? false;
    if (options.chunk !== undefined) this.chunk = options.chunk;
  }
}

/**
 * Not now, later: something the step needs is unreachable for the moment (e.g. the preflight
 * could not read an instance). Retried with backoff within the time budget; past it, published as
 * `failed` (retryable) with these messages. Messages never carry serials.
 */
export class TransientStepError extends Error {
  override readonly name = 'TransientStepError';
  readonly messages: string[];

  constructor(messages: string[]) {
    super(messages.join(' ') || 'the step must wait');
    this.messages = messages.length > 0 ? [...messages] : ['the step must wait'];
  }
}

/** The lease was lost while working (another replica took it after it expired): stop, come back. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(key: string) {
    super(`the lease ${key} was lost`);
  }
}
