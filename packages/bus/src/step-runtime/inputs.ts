/**
 * Which events a step consumes (docs/pipeline.md, "One step runtime"):
 *
 * | step   | forward                                   | compensation                            |
 * | ------ | ----------------------------------------- | --------------------------------------- |
 * | `po_a` | `transfer.requested`, `transfer.retry_requested` | `pr_a.cancelled`                  |
 * | `pr_a` | `po_a.done`, `transfer.retry_requested`   | `dn_a.cancelled`                        |
 * | `dn_a` | `pr_a.done`, `transfer.retry_requested`   | `pr_b.cancelled`                        |
 * | `pr_b` | `dn_a.done`, `transfer.retry_requested`   | `transfer.cancel_requested`             |
 *
 * A retry names its step (`data.step`): every step consumes it and the others skip it.
 */
import { type EventType, eventTypeFilter, nextStep, previousStep, type Step } from '@interco/contracts';

export type InputRole = 'forward' | 'retry' | 'compensation';

export interface StepInputs {
  /** The normal forward input: the previous step's `done`, or `transfer.requested` for po_a. */
  forward: EventType;
  retry: 'transfer.retry_requested';
  /** What starts this step's compensation: the next step's `cancelled`, or the cancel request for pr_b. */
  compensation: EventType;
}

export function stepInputs(step: Step): StepInputs {
  const previous = previousStep(step);
  const next = nextStep(step);
  return {
    forward: previous === undefined ? 'transfer.requested' : `${previous}.done`,
    retry: 'transfer.retry_requested',
    compensation: next === undefined ? 'transfer.cancel_requested' : `${next}.cancelled`,
  };
}

/** The role an event type plays for the step, or undefined when the step does not consume it. */
export function inputRole(step: Step, type: EventType): InputRole | undefined {
  const inputs = stepInputs(step);
  if (type === inputs.forward) return 'forward';
  if (type === inputs.retry) return 'retry';
  if (type === inputs.compensation) return 'compensation';
  return undefined;
}

/** The event types the step consumes, forward input first. */
export function inputTypes(step: Step): EventType[] {
  const inputs = stepInputs(step);
  return [inputs.forward, inputs.retry, inputs.compensation];
}

/** The step consumer's `filter_subjects`: one per input type, every transfer. */
export function inputFilterSubjects(step: Step, prefix: string): string[] {
  return inputTypes(step).map((type) => eventTypeFilter(type, prefix));
}

/** The durable consumer of a step: `step_<step>`. */
export function consumerName(step: Step): string {
  return `step_${step}`;
}
