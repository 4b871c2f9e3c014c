/** The events a step publishes: its outcome, carried on with the input's transfer, generation and actor. */
import {
  type DataOf,
  type EventOf,
  type IntercoEvent,
  newEvent,
  type Step,
  type StepEventKind,
} from '@interco/contracts';

export type StepEventOf<K extends StepEventKind> = EventOf<`${Step}.${K}`>;

/** `<step>.<kind>` about the same transfer and generation as `input`, by the same actor. */
export function stepEvent<K extends StepEventKind>(
  step: Step,
  kind: K,
  input: IntercoEvent,
  service: string,
  data: DataOf<`${Step}.${K}`>,
  now: Date,
): StepEventOf<K> {
  const type = `${step}.${kind}` as `${Step}.${K}`;
  return newEvent(type, contextOf(input, service), data, now) as StepEventOf<K>;
}

/** `transfer.cancelled` (po-a, at the end of the compensation). */
export function transferCancelled(
  input: IntercoEvent,
  service: string,
  stepsCancelled: Step[],
  now: Date,
): EventOf<'transfer.cancelled'> {
  return newEvent('transfer.cancelled', contextOf(input, service), { steps_cancelled: stepsCancelled }, now);
}

function contextOf(input: IntercoEvent, service: string) {
  return {
    transferid: input.transferid,
    generation: input.generation,
    actor: input.actor,
    source: `interco/${service}`,
  };
}
