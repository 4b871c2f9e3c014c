import { nextStep, previousStep, STEPS, type Step } from '../common/steps.js';
import {
  type EventOf,
  type IntercoEvent,
  isStepEventType,
  kindOf,
  type StepEventKind,
  stepOf,
} from '../events/catalogue.js';
import type { Evolution, StepState, TransferState, TransferStatus } from './transfer-state.schema.js';

// The rules are written out in README.md (this folder); the tests follow it rule by rule.

type StepEvent<K extends StepEventKind> = Extract<IntercoEvent, { type: `${Step}.${K}` }>;

/** What one handler decides: the next state (bookkeeping still to add), or why not. */
type Decision = { change: 'applied'; state: TransferState } | { change: 'stale' | 'invalid'; reason: string };

const CANCEL_STATUSES: ReadonlySet<TransferStatus> = new Set(['cancelling', 'cancel_failed', 'cancelled']);

function pendingStep(): StepState {
  return { status: 'pending', attempts: 0, documents: [], cancelled_documents: [] };
}

/** The state a transfer.requested event creates. */
export function initialTransferState(event: EventOf<'transfer.requested'>): TransferState {
  return {
    transfer_id: event.transferid,
    status: 'pending',
    generation: event.generation,
    current_step: 'po_a',
    steps: {
      po_a: { ...pendingStep(), started_at: event.time },
      pr_a: pendingStep(),
      dn_a: pendingStep(),
      pr_b: pendingStep(),
    },
    requested: event.data,
    actor: event.actor,
    created_at: event.time,
    updated_at: event.time,
    last_event_id: event.id,
    request_event_ids: [event.id],
    applied: 1,
  };
}

/**
 * Applies one event to a transfer's state (events in stream order). Pure: neither argument is
 * changed; a stale or invalid event returns the very state object it was given.
 * - `applied`: the event moved the state (a new object);
 * - `stale`: the event was already applied, or is superseded (an older generation, a copy);
 * - `invalid`: the event cannot happen in this state (a step moving forward after a cancel, a
 *   done before the previous step's...): a bug or a tampered stream, worth logging.
 */
export function evolve(state: TransferState | undefined, event: IntercoEvent): Evolution {
  if (state === undefined) {
    if (event.type === 'transfer.requested') return { state: initialTransferState(event), change: 'applied' };
    return { state, change: 'invalid', reason: `${event.type} before the transfer was requested` };
  }
  const decision = decide(state, event);
  if (decision.change !== 'applied') return { state, change: decision.change, reason: decision.reason };
  return {
    state: {
      ...decision.state,
      generation: Math.max(state.generation, event.generation),
      updated_at: event.time,
      last_event_id: event.id,
      applied: state.applied + 1,
    },
    change: 'applied',
  };
}

/** Folds a transfer's history (stream order); undefined when it holds no transfer.requested. */
export function foldTransfer(events: Iterable<IntercoEvent>): TransferState | undefined {
  let state: TransferState | undefined;
  for (const event of events) state = evolve(state, event).state;
  return state;
}

function decide(state: TransferState, event: IntercoEvent): Decision {
  if (event.transferid !== state.transfer_id) {
    return invalid(`the event is about transfer ${event.transferid}, not ${state.transfer_id}`);
  }
  if (event.id === state.last_event_id || state.request_event_ids.includes(event.id)) {
    return stale('this event was already applied');
  }
  if (event.type === 'transfer.requested')
    return invalid('the transfer was already requested by another event');
  if (event.generation < state.generation) {
    return stale(`generation ${event.generation} is older than the transfer's (${state.generation})`);
  }
  switch (event.type) {
    case 'transfer.retry_requested':
      return retryRequested(state, event);
    case 'transfer.cancel_requested':
      return cancelRequested(state, event);
    case 'transfer.cancelled':
      return transferCancelled(state);
  }
  const step = stepOf(event.type);
  if (isKind(event, 'done')) return stepDone(state, step, event);
  if (isKind(event, 'waiting')) return stepWaiting(state, step, event);
  if (isKind(event, 'failed')) return stepFailed(state, step, event);
  if (isKind(event, 'cancelled')) return stepCancelled(state, step, event);
  if (isKind(event, 'cancel_failed')) return stepCancelFailed(state, step, event);
  return invalid('not an event type of the catalogue');
}

function isKind<K extends StepEventKind>(event: IntercoEvent, kind: K): event is StepEvent<K> {
  return isStepEventType(event.type) && kindOf(event.type) === kind;
}

// --- forward: done, waiting, failed ---------------------------------------------------------------

/** Why a step cannot move forward now, or undefined when it can. */
function forwardBlocked(state: TransferState, step: Step): string | undefined {
  if (CANCEL_STATUSES.has(state.status)) {
    return `the transfer is ${state.status}: no step moves forward after a cancel`;
  }
  if (state.status === 'completed') return 'the transfer is completed';
  if (state.status === 'failed') {
    return `the transfer failed at ${state.failed_step ?? 'a step'}: only a retry of that step resumes it`;
  }
  if (state.current_step === step) return undefined;
  const previous = previousStep(step);
  if (previous !== undefined && state.steps[previous].status !== 'done') return `${previous} is not done`;
  return `${step} is not the current step (${state.current_step ?? 'none'})`;
}

function stepDone(state: TransferState, step: Step, event: StepEvent<'done'>): Decision {
  const current = state.steps[step];
  if (current.status === 'done') {
    return sameJson(current.documents, event.data.documents)
      ? stale(`${step} is already done with these documents`)
      : invalid(`${step} is already done with other documents`);
  }
  const blocked = forwardBlocked(state, step);
  if (blocked !== undefined) return invalid(blocked);
  const next = nextStep(step);
  const steps = {
    ...state.steps,
    [step]: {
      ...without(current, 'waiting', 'last_error'),
      status: 'done',
      documents: event.data.documents,
      attempts: Math.max(current.attempts, event.data.attempt),
      finished_at: event.time,
    },
  };
  if (next !== undefined) steps[next] = { ...state.steps[next], started_at: event.time };
  return applied({
    ...state,
    status: next === undefined ? 'completed' : 'in_progress',
    current_step: next ?? null,
    steps,
  });
}

function stepWaiting(state: TransferState, step: Step, event: StepEvent<'waiting'>): Decision {
  const current = state.steps[step];
  if (current.status !== 'pending' && event.data.attempt <= current.attempts) {
    return stale(`attempt ${event.data.attempt} of ${step} was already reported`);
  }
  const blocked = forwardBlocked(state, step);
  if (blocked !== undefined) return invalid(blocked);
  return applied({
    ...state,
    status: 'waiting',
    steps: {
      ...state.steps,
      [step]: {
        ...current,
        status: 'waiting',
        attempts: Math.max(current.attempts, event.data.attempt),
        waiting: { reason: event.data.reason, next_attempt_at: event.data.next_attempt_at },
      },
    },
  });
}

function stepFailed(state: TransferState, step: Step, event: StepEvent<'failed'>): Decision {
  const current = state.steps[step];
  if (
    current.status === 'failed' &&
    state.status === 'failed' &&
    sameJson(current.last_error, event.data.error)
  ) {
    return stale(`${step} already failed with this error`);
  }
  if (current.status !== 'pending' && event.data.attempt < current.attempts) {
    return stale(`attempt ${event.data.attempt} of ${step} is older than its latest (${current.attempts})`);
  }
  const blocked = forwardBlocked(state, step);
  if (blocked !== undefined) return invalid(blocked);
  return applied({
    ...state,
    status: 'failed',
    failed_step: step,
    steps: {
      ...state.steps,
      [step]: {
        ...without(current, 'waiting'),
        status: 'failed',
        attempts: Math.max(current.attempts, event.data.attempt),
        last_error: event.data.error,
      },
    },
  });
}

// --- requests: retry, cancel ----------------------------------------------------------------------

function newGeneration(state: TransferState, event: IntercoEvent, what: string): string | undefined {
  return event.generation > state.generation
    ? undefined
    : `generation ${event.generation} is already open: a ${what} opens a new one`;
}

function retryRequested(state: TransferState, event: EventOf<'transfer.retry_requested'>): Decision {
  const step = event.data.step;
  if (state.status !== 'failed')
    return invalid(`only a failed transfer can be retried (it is ${state.status})`);
  if (state.failed_step !== step) {
    return invalid(`the transfer failed at ${state.failed_step ?? 'no step'}, not at ${step}`);
  }
  const notNew = newGeneration(state, event, 'retry');
  if (notNew !== undefined) return invalid(notNew);
  return applied({
    ...without(state, 'failed_step'),
    status: step === 'po_a' ? 'pending' : 'in_progress',
    current_step: step,
    steps: {
      ...state.steps,
      [step]: {
        ...without(state.steps[step], 'waiting', 'finished_at'),
        status: 'pending',
        attempts: 0,
        started_at: event.time,
      },
    },
    request_event_ids: [...state.request_event_ids, event.id],
  });
}

function cancelRequested(state: TransferState, event: EventOf<'transfer.cancel_requested'>): Decision {
  if (state.status === 'cancelling' || state.status === 'cancelled') {
    return invalid(`the transfer is already ${state.status}`);
  }
  const notNew = newGeneration(state, event, 'cancel');
  if (notNew !== undefined) return invalid(notNew);
  return applied({
    ...without(state, 'failed_step'),
    status: 'cancelling',
    request_event_ids: [...state.request_event_ids, event.id],
  });
}

// --- compensation: cancelled, cancel_failed, transfer.cancelled -----------------------------------

/** Why a step cannot report a cancel outcome now, or undefined when it can. */
function compensationBlocked(state: TransferState, step: Step): string | undefined {
  if (state.status !== 'cancelling') {
    return `a step cancels only while the transfer is cancelling (it is ${state.status})`;
  }
  const next = nextStep(step);
  if (next !== undefined && state.steps[next].status !== 'cancelled') {
    return `${next} is not cancelled yet (compensation runs pr_b, dn_a, pr_a, po_a)`;
  }
  return undefined;
}

function stepCancelled(state: TransferState, step: Step, event: StepEvent<'cancelled'>): Decision {
  const current = state.steps[step];
  const known = (document: StepState['documents'][number]) =>
    current.cancelled_documents.some(
      (other) => other.doctype === document.doctype && other.name === document.name,
    );
  if (current.status === 'cancelled' && event.data.documents.every(known)) {
    return stale(`${step} is already cancelled`);
  }
  const blocked = compensationBlocked(state, step);
  if (blocked !== undefined) return invalid(blocked);
  return applied({
    ...state,
    steps: {
      ...state.steps,
      [step]: {
        ...without(current, 'waiting', 'last_error'),
        status: 'cancelled',
        cancelled_documents: [
          ...current.cancelled_documents,
          ...event.data.documents.filter((document) => !known(document)),
        ],
      },
    },
  });
}

function stepCancelFailed(state: TransferState, step: Step, event: StepEvent<'cancel_failed'>): Decision {
  const current = state.steps[step];
  if (
    current.status === 'cancel_failed' &&
    state.status === 'cancel_failed' &&
    sameJson(current.last_error, event.data.error)
  ) {
    return stale(`cancelling ${step} already failed with this error`);
  }
  const blocked = compensationBlocked(state, step);
  if (blocked !== undefined) return invalid(blocked);
  return applied({
    ...state,
    status: 'cancel_failed',
    steps: {
      ...state.steps,
      [step]: { ...without(current, 'waiting'), status: 'cancel_failed', last_error: event.data.error },
    },
  });
}

function transferCancelled(state: TransferState): Decision {
  if (state.status === 'cancelled') return stale('the transfer is already cancelled');
  if (state.status !== 'cancelling') {
    return invalid(`a transfer is cancelled only after cancelling (it is ${state.status})`);
  }
  const left = STEPS.filter((step) => state.steps[step].status !== 'cancelled');
  if (left.length > 0) return invalid(`not every step is cancelled yet (${left.join(', ')})`);
  return applied({ ...state, status: 'cancelled', current_step: null });
}

// --- helpers --------------------------------------------------------------------------------------

function applied(state: TransferState): Decision {
  return { change: 'applied', state };
}

function stale(reason: string): Decision {
  return { change: 'stale', reason };
}

function invalid(reason: string): Decision {
  return { change: 'invalid', reason };
}

/** A copy of `value` without the given (optional) keys. */
function without<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const copy: Partial<T> = { ...value };
  for (const key of keys) delete copy[key];
  return copy as Omit<T, K>;
}

/** Structural equality of JSON values (event data). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every(
    (key) =>
      Object.hasOwn(b, key) &&
      sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
