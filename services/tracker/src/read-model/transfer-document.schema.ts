import { EventId, TransferId, TransferState } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';

/**
 * The tracker's stored documents (MongoDB). The read model is derived: it can be dropped and
 * rebuilt from the stream at any time (`interco-tracker rebuild`). See docs/tracker.md.
 *
 * Collection `transfers`, one document per transfer, `_id` = transfer id. Its state is always
 * `foldTransfer(journal events in stream order)`: the journal holds every event of the transfer
 * the tracker has seen, once each (by event id), sorted by stream sequence, so the state comes
 * out the same whatever order (re)deliveries arrive in. Written with compare-and-set on
 * `version` (one atomic single-document write per batch of events; no transactions).
 */

/** One event as the tracker received it: its stream sequence and the event itself. */
export const JournalEntry = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'stream sequence: the order the state is folded in' }),
    id: EventId,
    type: Type.String({ minLength: 1, maxLength: 64 }),
    time: Type.String({ format: 'date-time' }),
    generation: Type.Integer({ minimum: 1 }),
    actor: Type.String({ minLength: 1, maxLength: 140 }),
    change: Type.Union([Type.Literal('applied'), Type.Literal('stale'), Type.Literal('invalid')], {
      description: 'what evolve made of it, in stream order',
    }),
    reason: Type.Optional(Type.String({ maxLength: 1000, description: 'why it was stale or invalid' })),
    /** The whole event as published (events never carry serials; ERPNext messages are redacted). */
    event: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export type JournalEntry = Static<typeof JournalEntry>;

/**
 * A transfer's document. The top-level query fields are copies of the state's, kept for plain
 * indexes (MongoDB) and filters; `null` until the transfer's `transfer.requested` is seen (an
 * event can arrive before it on a redelivery: the document exists, the API does not show it).
 */
export const TransferDocument = Type.Object(
  {
    _id: TransferId,
    version: Type.Integer({ minimum: 1, description: 'compare-and-set counter, +1 per write' }),
    last_seq: Type.Integer({ minimum: 1, description: 'highest stream sequence in the journal' }),
    state: Type.Union([TransferState, Type.Null()]),
    journal: Type.Array(JournalEntry),
    // Query fields (from state; null when state is null).
    status: Type.Union([Type.String(), Type.Null()]),
    current_step: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    updated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    instance_a: Type.Union([Type.String(), Type.Null()]),
    instance_b: Type.Union([Type.String(), Type.Null()]),
    company_a: Type.Union([Type.String(), Type.Null()]),
    company_b: Type.Union([Type.String(), Type.Null()], { description: 'when the request names it' }),
    company_b_customer_in_a: Type.Union([Type.String(), Type.Null()]),
    company_a_supplier_in_b: Type.Union([Type.String(), Type.Null()]),
    reference: Type.Union([Type.String(), Type.Null()]),
    actor: Type.Union([Type.String(), Type.Null()]),
    serials_indexed: Type.Boolean({
      description: 'whether the serial digests of its manifest are in the serials collection',
    }),
  },
  { $id: 'TransferDocument', additionalProperties: false },
);
export type TransferDocument = Static<typeof TransferDocument>;

/**
 * Collection `serials`: which transfers moved a serial. `_id` = the keyed digest (hex HMAC of
 * the case-folded serial, `SerialDigester` of @interco/bus, the same intake reserves with), so a
 * lookup is one `_id` read; a serial moved again (after a cancel, or back) adds its transfer.
 */
export const SerialDocument = Type.Object(
  {
    _id: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    transfers: Type.Array(TransferId, { description: 'every transfer that moved it, oldest first' }),
  },
  { $id: 'SerialDocument', additionalProperties: false },
);
export type SerialDocument = Static<typeof SerialDocument>;

/** Collection names, per database (the database is the deployment's: MONGODB_DB). */
export const COLLECTIONS = { transfers: 'transfers', serials: 'serials' } as const;
