/**
 * What a step does with one input event, given the transfer record (pure). The record is
 * intake's control state: forward work runs only while it is `active` (any other status, whatever
 * it is, means no forward work) and the event's generation is the record's; compensation only while
 * it is `cancelling` (any other status: no compensation) at the record's generation.
 *
 * A redelivered input is skipped when the step already published its failure in this generation
 * (`<step>.failed` for forward work, `<step>.cancel_failed` for compensation): the failure was
 * published but its ack was lost, and going on (a cause that went away meanwhile) would publish
 * `done` (or `cancelled`) after it, carrying the pipeline on while the transfer's state stays
 * failed. Only a retry (a new generation) re-drives the step. The caller reads the transfer's
 * history for that only on a redelivery (`history`), so first deliveries stay cheap.
 */
import type { IntercoEvent, Step } from '@interco/contracts';
import { type InputRole, inputRole } from './inputs.js';

/** What decide() reads of the transfer record. */
export interface RecordView {
  status: string;
  generation: number;
}

export type Decision =
  /** Make the step's documents. `firstDelivery`: nothing can have been written before (insertOnce skips its lookup). */
  | { action: 'forward'; role: Extract<InputRole, 'forward' | 'retry'>; firstDelivery: boolean }
  /** Cancel the step's documents. */
  | { action: 'compensate' }
  /** Nothing to do: ack. */
  | { action: 'skip'; reason: string }
  /** The record is behind the event (it has not caught up yet): nak and come back. */
  | { action: 'defer'; reason: string }
  /** The event can never be acted on (not this step's input, no transfer record): terminate it. */
  | { action: 'reject'; reason: string };

export interface DecideInput {
  step: Step;
  event: IntercoEvent;
  record: RecordView | undefined;
  /** JetStream's delivery count of this message (1 on the first delivery). */
  deliveryCount: number;
  /**
   * The transfer's events (stream order), read on a redelivery (see `needsHistory`): the step's
   * `failed` (forward) or `cancel_failed` (compensation) of this generation among them makes the
   * input a skip.
   */
  history?: ReadonlyArray<Pick<IntercoEvent, 'type' | 'generation'>>;
}

/** Whether decide() wants the transfer's history for this decision (a redelivered input with work to do). */
export function needsHistory(decision: Decision, deliveryCount: number): boolean {
  return (decision.action === 'forward' || decision.action === 'compensate') && deliveryCount > 1;
}

function failedAlready(history: DecideInput['history'], type: string, generation: number): boolean {
  return history?.some((past) => past.type === type && past.generation === generation) === true;
}

export function decide({ step, event, record, deliveryCount, history }: DecideInput): Decision {
  const role = inputRole(step, event.type);
  if (role === undefined) return { action: 'reject', reason: `${event.type} is not an input of ${step}` };
  if (event.type === 'transfer.retry_requested' && event.data.step !== step) {
    return { action: 'skip', reason: `the retry is for ${event.data.step}` };
  }
  if (record === undefined) return { action: 'reject', reason: 'the transfer has no record' };
  if (event.generation < record.generation) {
    return {
      action: 'skip',
      reason: `stale: generation ${event.generation}, the transfer is at ${record.generation}`,
    };
  }
  if (event.generation > record.generation) {
    return {
      action: 'defer',
      reason: `the record is at generation ${record.generation}, the event at ${event.generation}`,
    };
  }
  if (role === 'compensation') {
    if (record.status !== 'cancelling') {
      return { action: 'skip', reason: `compensation needs a cancelling transfer; it is ${record.status}` };
    }
    const cancelFailed = `${step}.cancel_failed`;
    if (failedAlready(history, cancelFailed, event.generation)) {
      return {
        action: 'skip',
        reason: `${cancelFailed} was published in generation ${event.generation} already: only a retry re-drives the step`,
      };
    }
    return { action: 'compensate' };
  }
  if (record.status !== 'active') {
    return { action: 'skip', reason: `forward work needs an active transfer; it is ${record.status}` };
  }
  const failed = `${step}.failed`;
  if (failedAlready(history, failed, event.generation)) {
    return {
      action: 'skip',
      reason: `${failed} was published in generation ${event.generation} already: only a retry re-drives the step`,
    };
  }
  return {
    action: 'forward',
    role,
    firstDelivery: role === 'forward' && event.generation === 1 && deliveryCount === 1,
  };
}
