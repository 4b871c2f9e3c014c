/**
 * What a step does with one input event, given the transfer record (pure). The record is
 * intake's control state: forward work runs only while it is `active` and the event's generation
 * is the record's; compensation only while it is `cancelling` at the record's generation.
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
}

export function decide({ step, event, record, deliveryCount }: DecideInput): Decision {
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
    return { action: 'compensate' };
  }
  if (record.status !== 'active') {
    return { action: 'skip', reason: `forward work needs an active transfer; it is ${record.status}` };
  }
  return {
    action: 'forward',
    role,
    firstDelivery: role === 'forward' && event.generation === 1 && deliveryCount === 1,
  };
}
