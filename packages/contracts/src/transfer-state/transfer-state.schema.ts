import { type Static, Type } from '@sinclair/typebox';
import { EventId, TransferId } from '../common/ids.js';
import {
  DocumentRef,
  ErrorInfo,
  StepName,
  TransferRequestedData,
  WaitingReason,
} from '../events/data.schema.js';

/** What a transfer's events add up to (see README.md in this folder for the rules). */

const Time = Type.String({ format: 'date-time' });

export const TransferStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('in_progress'),
  Type.Literal('waiting'),
  Type.Literal('failed'),
  Type.Literal('completed'),
  Type.Literal('cancelling'),
  Type.Literal('cancel_failed'),
  Type.Literal('cancelled'),
]);
export type TransferStatus = Static<typeof TransferStatus>;

export const StepStatus = Type.Union(
  [
    Type.Literal('pending'),
    Type.Literal('waiting'),
    Type.Literal('done'),
    Type.Literal('failed'),
    Type.Literal('cancelling'),
    Type.Literal('cancelled'),
    Type.Literal('cancel_failed'),
  ],
  { description: '`cancelling` is reserved: evolve keeps a step’s status until its cancel outcome' },
);
export type StepStatus = Static<typeof StepStatus>;

export const StepState = Type.Object(
  {
    status: StepStatus,
    attempts: Type.Integer({ minimum: 0, description: 'the highest delivery attempt reported' }),
    documents: Type.Array(DocumentRef, { description: 'the documents of its done event' }),
    cancelled_documents: Type.Array(DocumentRef, {
      description: 'every document its cancelled events named',
    }),
    last_error: Type.Optional(ErrorInfo),
    waiting: Type.Optional(
      Type.Object({ reason: WaitingReason, next_attempt_at: Time }, { additionalProperties: false }),
    ),
    started_at: Type.Optional(Time),
    finished_at: Type.Optional(Time),
  },
  { additionalProperties: false },
);
export type StepState = Static<typeof StepState>;

export const TransferState = Type.Object(
  {
    transfer_id: TransferId,
    status: TransferStatus,
    generation: Type.Integer({ minimum: 1 }),
    current_step: Type.Union([StepName, Type.Null()], {
      description: 'the step forward work is at; null once completed or cancelled',
    }),
    failed_step: Type.Optional(StepName),
    steps: Type.Object(
      { po_a: StepState, pr_a: StepState, dn_a: StepState, pr_b: StepState },
      { additionalProperties: false, description: 'every step, by name' },
    ),
    requested: Type.Optional(TransferRequestedData),
    actor: Type.String({ minLength: 1, maxLength: 140, description: 'who requested the transfer' }),
    created_at: Time,
    updated_at: Time,
    last_event_id: EventId,
    request_event_ids: Type.Array(EventId, {
      description:
        'ids of the events that opened a generation (transfer.requested, then each retry or cancel request), so a copy of one is recognised',
    }),
    applied: Type.Integer({ minimum: 1, description: 'how many events were applied' }),
  },
  { $id: 'TransferState', additionalProperties: false },
);
export type TransferState = Static<typeof TransferState>;

export type TransferChange = 'applied' | 'stale' | 'invalid';

/** What `evolve` made of one event. */
export interface Evolution {
  state: TransferState | undefined;
  change: TransferChange;
  /** Why an event was stale or invalid. */
  reason?: string;
}
