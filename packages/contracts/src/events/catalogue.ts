import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { STEPS, type Step } from '../common/steps.js';
import {
  CancelRequestedData,
  RetryRequestedData,
  StepCancelFailedData,
  StepCancelledData,
  StepDoneData,
  StepFailedData,
  StepWaitingData,
  TransferCancelledData,
  TransferRequestedData,
} from './data.schema.js';
import { EnvelopeAttributes, eventSchema } from './envelope.js';

/**
 * The event catalogue (docs/events.md): four transfer-level events published by intake and po-a,
 * and five events per step published by that step's service.
 */

export const TRANSFER_EVENT_DATA = {
  'transfer.requested': TransferRequestedData,
  'transfer.retry_requested': RetryRequestedData,
  'transfer.cancel_requested': CancelRequestedData,
  'transfer.cancelled': TransferCancelledData,
} as const;

export const STEP_EVENT_DATA = {
  done: StepDoneData,
  failed: StepFailedData,
  waiting: StepWaitingData,
  cancelled: StepCancelledData,
  cancel_failed: StepCancelFailedData,
} as const;

export type TransferEventType = keyof typeof TRANSFER_EVENT_DATA;
export type StepEventKind = keyof typeof STEP_EVENT_DATA;
export type StepEventType = `${Step}.${StepEventKind}`;
export type EventType = TransferEventType | StepEventType;

const DESCRIPTIONS: Record<TransferEventType | StepEventKind, string> = {
  'transfer.requested': 'intake accepted a transfer; po-a starts it',
  'transfer.retry_requested': 'an operator asked to retry a failed step',
  'transfer.cancel_requested': 'an operator asked to cancel; compensation starts at pr-b',
  'transfer.cancelled': 'every document the transfer made is cancelled',
  done: 'the step’s documents are submitted in ERPNext; the next step starts',
  failed: 'the step stopped on an error a person must look at',
  waiting: 'the step is waiting for ERPNext (breaker open, rate limited, maintenance)',
  cancelled: 'the step’s documents are cancelled; the previous step cancels next',
  cancel_failed: 'cancelling the step’s documents failed; a cancel can be retried',
};

export const STEP_EVENT_KINDS = Object.keys(STEP_EVENT_DATA) as StepEventKind[];
export const TRANSFER_EVENT_TYPES = Object.keys(TRANSFER_EVENT_DATA) as TransferEventType[];
export const EVENT_TYPES: readonly EventType[] = [
  ...TRANSFER_EVENT_TYPES,
  ...STEPS.flatMap((step) => STEP_EVENT_KINDS.map((kind): StepEventType => `${step}.${kind}`)),
];

/** The schema of each event type. */
export const EVENT_SCHEMAS: Readonly<Record<EventType, TSchema>> = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, eventSchema(type, dataSchemaOf(type), descriptionOf(type))]),
) as Record<string, TSchema> as Record<EventType, TSchema>;

/** Every event, as one schema (for documentation and OpenAPI). */
export const IntercoEventSchema = Type.Union(Object.values(EVENT_SCHEMAS), { $id: 'IntercoEvent' });

const Envelope = Type.Object(EnvelopeAttributes);
export type Envelope = Static<typeof Envelope>;

export type DataOf<T extends EventType> = T extends TransferEventType
  ? Static<(typeof TRANSFER_EVENT_DATA)[T]>
  : T extends `${Step}.${infer K extends StepEventKind}`
    ? Static<(typeof STEP_EVENT_DATA)[K]>
    : never;

/** One event of the catalogue, its `data` typed by its `type`. */
export type EventOf<T extends EventType> = T extends EventType
  ? Envelope & { type: T; data: DataOf<T> }
  : never;
/** Any Interco event (a union discriminated by `type`). */
export type IntercoEvent = { [T in EventType]: EventOf<T> }[EventType];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

export function isStepEventType(type: EventType): type is StepEventType {
  return !type.startsWith('transfer.');
}

/** The step a step event belongs to (`pr_a.done` -> `pr_a`). */
export function stepOf(type: StepEventType): Step {
  return type.slice(0, type.indexOf('.')) as Step;
}

/** The kind of a step event (`pr_a.cancel_failed` -> `cancel_failed`). */
export function kindOf(type: StepEventType): StepEventKind {
  return type.slice(type.indexOf('.') + 1) as StepEventKind;
}

function dataSchemaOf(type: EventType): TSchema {
  return isStepEventType(type) ? STEP_EVENT_DATA[kindOf(type)] : TRANSFER_EVENT_DATA[type];
}

function descriptionOf(type: EventType): string {
  return isStepEventType(type) ? `${stepOf(type)}: ${DESCRIPTIONS[kindOf(type)]}` : DESCRIPTIONS[type];
}
