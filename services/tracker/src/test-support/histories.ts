/**
 * Valid transfer histories made with newEvent, for the tracker's tests: a transfer's events in
 * the order the pipeline publishes them, each a second after the previous one.
 */
import { requestedTransfer, sampleRequest } from '@interco/bus/test-support';
import {
  type DataOf,
  type EventType,
  type IntercoEvent,
  newEvent,
  newTransferId,
  STEP_INFO,
  STEPS,
  type Step,
  type TransferRequest,
} from '@interco/contracts';

export type HistoryKind = 'completed' | 'failed' | 'waiting' | 'retried' | 'cancelled' | 'cancel_failed';
export const HISTORY_KINDS: readonly HistoryKind[] = [
  'completed',
  'failed',
  'waiting',
  'retried',
  'cancelled',
  'cancel_failed',
];

const INSTANCE = { a: 'erp-a', b: 'erp-b' } as const;
const START = Date.UTC(2026, 0, 5, 10, 0, 0);

/** Builds one transfer's events, one second apart. */
export class TransferHistory {
  readonly events: IntercoEvent[] = [];
  generation = 1;
  #clock: number;

  constructor(
    readonly transferId: string = newTransferId(),
    start = START,
  ) {
    this.#clock = start;
  }

  #next(): Date {
    this.#clock += 1000;
    return new Date(this.#clock);
  }

  event<T extends EventType>(type: T, data: DataOf<T>): IntercoEvent {
    const source = type.startsWith('transfer.')
      ? 'interco/intake'
      : `interco/${type.slice(0, 4).replace('_', '-')}`;
    const event = newEvent(
      type,
      { transferid: this.transferId, generation: this.generation, actor: 'tok_ops', source },
      data,
      this.#next(),
    ) as IntercoEvent;
    this.events.push(event);
    return event;
  }

  /** The transfer.requested of `request` whose manifest is at `manifest`. */
  requested(request: TransferRequest = sampleRequest(), manifest?: { ref: string; digest: string }) {
    const { requested } = requestedTransfer(request, {
      transferId: this.transferId,
      actor: 'tok_ops',
      ...(manifest === undefined ? {} : { manifest }),
    });
    this.events.push({ ...requested, time: this.#next().toISOString() });
    return this;
  }

  done(step: Step, attempt = 1) {
    this.event(`${step}.done`, {
      instance: INSTANCE[STEP_INFO[step].company],
      documents: [
        {
          doctype: STEP_INFO[step].doctype,
          name: `${step.toUpperCase()}-${this.transferId.slice(-6)}`,
          chunk: 0,
          serial_count: 3,
        },
      ],
      attempt,
      duration_ms: 840,
    });
    return this;
  }

  waiting(step: Step, attempt = 1) {
    this.event(`${step}.waiting`, {
      instance: INSTANCE[STEP_INFO[step].company],
      reason: 'rate_limited',
      next_attempt_at: new Date(this.#clock + 30_000).toISOString(),
      attempt,
    });
    return this;
  }

  failed(step: Step, message = 'Serial No [serial items[0].serials[0]] is already present') {
    this.event(`${step}.failed`, {
      instance: INSTANCE[STEP_INFO[step].company],
      error: { kind: 'permanent', http_status: 417, exc_type: 'ValidationError', messages: [message] },
      attempt: 1,
      retryable: true,
    });
    return this;
  }

  retry(step: Step) {
    this.generation++;
    this.event('transfer.retry_requested', { step });
    return this;
  }

  cancel() {
    this.generation++;
    this.event('transfer.cancel_requested', { reason: 'wrong warehouse' });
    return this;
  }

  cancelFailed(step: Step) {
    this.event(`${step}.cancel_failed`, {
      instance: INSTANCE[STEP_INFO[step].company],
      error: { kind: 'permanent', messages: ['Cannot cancel: a stock period is frozen'] },
      attempt: 1,
    });
    return this;
  }

  /** The compensation pr_b to po_a (cancelling what each step made), then transfer.cancelled. */
  compensate() {
    for (const step of [...STEPS].reverse()) {
      this.event(`${step}.cancelled`, { instance: INSTANCE[STEP_INFO[step].company], documents: [] });
    }
    this.event('transfer.cancelled', { steps_cancelled: [...STEPS] });
    return this;
  }

  forward(steps: readonly Step[] = STEPS) {
    for (const step of steps) this.done(step);
    return this;
  }
}

/** A transfer's history of the given kind (already requested). */
export function historyOf(kind: HistoryKind, history: TransferHistory): IntercoEvent[] {
  switch (kind) {
    case 'completed':
      history.forward();
      break;
    case 'failed':
      history.forward(['po_a', 'pr_a']).failed('dn_a');
      break;
    case 'waiting':
      history.forward(['po_a']).waiting('pr_a', 1).waiting('pr_a', 2);
      break;
    case 'retried':
      history.done('po_a').failed('pr_a').retry('pr_a').waiting('pr_a', 1).forward(['pr_a', 'dn_a', 'pr_b']);
      break;
    case 'cancelled':
      history.forward().cancel().compensate();
      break;
    case 'cancel_failed':
      history.forward(['po_a', 'pr_a']).cancel().cancelFailed('pr_b');
      break;
  }
  return history.events;
}

/** One history of `kind` for a new transfer whose request is `sampleRequest()`. */
export function sampleHistory(kind: HistoryKind, transferId: string = newTransferId()): IntercoEvent[] {
  return historyOf(kind, new TransferHistory(transferId).requested());
}
