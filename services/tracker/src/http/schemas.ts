import {
  DocumentRef,
  ErrorInfo,
  EventId,
  StepName,
  StepStatus,
  TransferId,
  TransferRequestedData,
  TransferStatus,
  WaitingReason,
} from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';
import { JournalEntry } from '../read-model/transfer-document.schema.js';

/**
 * The tracker's answers (TypeBox: the OpenAPI document is generated from them). They live with
 * the tracker, the only service that makes them; a client (console, CLI) imports the types from
 * `@interco/tracker`.
 */

const Time = Type.String({ format: 'date-time' });
const Name = Type.String({ minLength: 1, maxLength: 140 });

/** A step of a transfer as the API shows it. */
export const StepView = Type.Object(
  {
    status: StepStatus,
    attempts: Type.Integer({ minimum: 0 }),
    documents: Type.Array(DocumentRef),
    cancelled_documents: Type.Array(DocumentRef),
    last_error: Type.Union([ErrorInfo, Type.Null()]),
    waiting: Type.Union([
      Type.Object({ reason: WaitingReason, next_attempt_at: Time }, { additionalProperties: false }),
      Type.Null(),
    ]),
    started_at: Type.Union([Time, Type.Null()]),
    finished_at: Type.Union([Time, Type.Null()]),
    duration_ms: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: 'finished_at - started_at, once both are known',
    }),
  },
  { $id: 'StepView', additionalProperties: false },
);
export type StepView = Static<typeof StepView>;

/** What the transfer's request asked for (never its serials). */
export const RequestSummary = Type.Composite(
  [
    Type.Pick(TransferRequestedData, ['instances', 'companies', 'supplier', 'warehouses', 'counts']),
    Type.Object({
      reference: Type.Union([Name, Type.Null()]),
      actor: Type.String({ description: 'the token id that requested the transfer' }),
    }),
  ],
  { $id: 'RequestSummary', additionalProperties: false },
);
export type RequestSummary = Static<typeof RequestSummary>;

/** The error that holds a transfer back, with the step it came from. */
export const TransferError = Type.Composite([Type.Object({ step: StepName }), ErrorInfo], {
  $id: 'TransferError',
  additionalProperties: false,
});
export type TransferError = Static<typeof TransferError>;

/** One transfer as the API shows it. */
export const TransferView = Type.Object(
  {
    transfer_id: TransferId,
    status: TransferStatus,
    stuck: Type.Boolean({ description: 'running, and no event for longer than TRACKER_STUCK_AFTER_MS' }),
    current_step: Type.Union([StepName, Type.Null()]),
    failed_step: Type.Union([StepName, Type.Null()]),
    generation: Type.Integer({ minimum: 1 }),
    created_at: Time,
    updated_at: Time,
    request: Type.Union([RequestSummary, Type.Null()]),
    steps: Type.Object(
      { po_a: StepView, pr_a: StepView, dn_a: StepView, pr_b: StepView },
      { additionalProperties: false },
    ),
    last_error: Type.Union([TransferError, Type.Null()], {
      description: 'the failed (or cancel_failed) step’s error; else the current step’s last one',
    }),
  },
  { $id: 'TransferView', additionalProperties: false },
);
export type TransferView = Static<typeof TransferView>;

export const TransferList = Type.Object(
  {
    transfers: Type.Array(TransferView, { description: 'newest first (created_at, then id)' }),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'pass as `cursor` for the next page; null on the last page',
    }),
  },
  { $id: 'TransferList', additionalProperties: false },
);
export type TransferList = Static<typeof TransferList>;

export const TransferCounts = Type.Object(
  {
    total: Type.Integer({ minimum: 0 }),
    by_status: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
      description: 'every status, 0 included',
    }),
    stuck: Type.Integer({ minimum: 0 }),
    as_of: Type.String({
      format: 'date-time',
      description:
        'when these counts were taken (they are cached for TRACKER_COUNTS_MAX_AGE_MS; older after a count that timed out)',
    }),
  },
  { $id: 'TransferCounts', additionalProperties: false },
);
export type TransferCounts = Static<typeof TransferCounts>;

export const TransferEventsPage = Type.Object(
  {
    transfer_id: TransferId,
    events: Type.Array(JournalEntry, { description: 'in stream order' }),
    next_after_seq: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
      description: 'pass as `after_seq` for the next page; null on the last page',
    }),
  },
  { $id: 'TransferEventsPage', additionalProperties: false },
);
export type TransferEventsPage = Static<typeof TransferEventsPage>;

export const SerialEntry = Type.Object(
  { item_code: Name, serial: Type.String() },
  { additionalProperties: false },
);

export const TransferSerialsPage = Type.Object(
  {
    transfer_id: TransferId,
    total: Type.Integer({ minimum: 0 }),
    serials: Type.Array(SerialEntry, { description: 'in the manifest’s order, item by item' }),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'TransferSerialsPage', additionalProperties: false },
);
export type TransferSerialsPage = Static<typeof TransferSerialsPage>;

/** The SSE `data` of /v1/live: what happened, never the event's payload. */
export const LiveEventData = Type.Object(
  {
    transfer_id: TransferId,
    type: Type.String(),
    time: Time,
    generation: Type.Integer({ minimum: 1 }),
    seq: Type.Integer({ minimum: 1, description: 'the stream sequence (also the SSE id)' }),
    event_id: EventId,
  },
  { $id: 'LiveEventData', additionalProperties: false },
);
export type LiveEventData = Static<typeof LiveEventData>;
