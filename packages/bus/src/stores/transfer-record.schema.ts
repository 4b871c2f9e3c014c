import {
  eventSchema,
  InstanceId,
  registerFormats,
  Sha256Digest,
  TransferId,
  TransferRequestedData,
} from '@interco/contracts';
import {
  type ChunkingLimits,
  MAX_DOCUMENT_BYTES_LIMIT,
  MAX_SERIAL_BYTES,
  MIN_DOCUMENT_BYTES,
  TEXT_COLUMN_BYTES,
} from '@interco/erpnext';
import { type Static, Type } from '@sinclair/typebox';

registerFormats();

/**
 * `active` (forward work may run), `cancelling` (compensation runs), `completed` (pr_b done),
 * `cancelled` (every document cancelled), `reclaiming` (a cancel of a completed transfer is
 * taking its serials back: they count as held, no step acts; it becomes `cancelling` at the next
 * generation, or `completed` again when another transfer holds one of them).
 */
export const TransferRecordStatus = Type.Union([
  Type.Literal('active'),
  Type.Literal('cancelling'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
  Type.Literal('reclaiming'),
]);
export type TransferRecordStatus = Static<typeof TransferRecordStatus>;

/** The resolved chunking limits (`resolveChunkingLimits`), every one present. */
export const StoredChunkingLimits = Type.Object(
  {
    maxSerialsPerDocument: Type.Integer({ minimum: 1 }),
    maxRowsPerDocument: Type.Integer({ minimum: 1 }),
    maxRowBytes: Type.Integer({ minimum: MAX_SERIAL_BYTES, exclusiveMaximum: TEXT_COLUMN_BYTES }),
    maxSerialsPerRow: Type.Integer({ minimum: 1 }),
    maxDocumentBytes: Type.Integer({ minimum: MIN_DOCUMENT_BYTES, maximum: MAX_DOCUMENT_BYTES_LIMIT }),
  },
  { additionalProperties: false },
);

const Timestamp = Type.String({ format: 'date-time' });

/**
 * Intake's control state of one transfer (KV `<prefix>_transfers`, key = transfer id), written
 * only by intake; the steps read it before every write. See docs/pipeline.md, "The transfer
 * record". What happened (done, failed...) is not here: it is in the stream.
 */
export const TransferRecord = Type.Object(
  {
    transfer_id: TransferId,
    status: TransferRecordStatus,
    generation: Type.Integer({
      minimum: 1,
      description: '1 at request; every retry or cancel adds 1; events of an older generation are stale',
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
    actor: Type.String({ minLength: 1, maxLength: 140, description: 'the token id that requested it' }),
    request_digest: Sha256Digest,
    manifest: Type.Object(
      { ref: Type.String({ minLength: 1, maxLength: 255 }), digest: Sha256Digest },
      { additionalProperties: false },
    ),
    chunking: Type.Object(
      { limits: StoredChunkingLimits, fingerprint: Type.String({ minLength: 1, maxLength: 255 }) },
      { additionalProperties: false },
    ),
    instances: Type.Object({ a: InstanceId, b: InstanceId }, { additionalProperties: false }),
    counts: Type.Object(
      { items: Type.Integer({ minimum: 1 }), serials: Type.Integer({ minimum: 1 }) },
      { additionalProperties: false },
    ),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: 140 })),
    requested_event: eventSchema(
      'transfer.requested',
      TransferRequestedData,
      'the transfer.requested event as published: a re-publish is the identical fact',
    ),
  },
  { additionalProperties: false, $id: 'TransferRecord' },
);
export type TransferRecord = Static<typeof TransferRecord>;

// The stored limits are what `chunkTransfer` and `chunkingFingerprint` take.
type Assignable<T extends ChunkingLimits> = T;
export type StoredChunkingLimits = Assignable<Static<typeof StoredChunkingLimits>>;
