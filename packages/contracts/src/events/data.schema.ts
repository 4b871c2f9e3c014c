import { Type } from '@sinclair/typebox';
import { InstanceId } from '../common/ids.js';
import { STEPS } from '../common/steps.js';

/** Event payloads: small (ids, names, counts, digests), never serial lists. */

export const StepName = Type.Union(
  STEPS.map((step) => Type.Literal(step)),
  { description: 'po_a, pr_a, dn_a or pr_b' },
);

const Name = Type.String({ minLength: 1, maxLength: 140 });
const Count = Type.Integer({ minimum: 0 });
const Attempt = Type.Integer({ minimum: 1, description: 'delivery attempt of this step in this generation' });
export const Sha256Digest = Type.String({ pattern: '^sha256:[0-9a-f]{64}$' });

/** An ERPNext document Interco made (or found by its marker): one per chunk. */
export const DocumentRef = Type.Object(
  {
    doctype: Type.Union([
      Type.Literal('Purchase Order'),
      Type.Literal('Purchase Receipt'),
      Type.Literal('Delivery Note'),
    ]),
    name: Name,
    chunk: Type.Integer({ minimum: 0, description: 'chunk number; 0 when the step made one document' }),
    serial_count: Count,
  },
  { additionalProperties: false },
);

/** ERPNext's answer decoded (kinds as decided in one place by packages/erpnext). */
export const ErrorInfo = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('transient'),
      Type.Literal('conflict'),
      Type.Literal('permanent'),
      Type.Literal('auth'),
    ]),
    http_status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
    exc_type: Type.Optional(Name),
    messages: Type.Array(Type.String({ maxLength: 4000 }), {
      maxItems: 50,
      description: 'ERPNext’s own messages (_server_messages decoded), for the person who fixes the cause',
    }),
    chunk: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const TransferRequestedData = Type.Object(
  {
    manifest: Type.Object(
      {
        ref: Type.String({
          minLength: 1,
          maxLength: 255,
          description: 'where the encrypted manifest is stored',
        }),
        digest: Sha256Digest,
      },
      { additionalProperties: false },
    ),
    instances: Type.Object({ a: InstanceId, b: InstanceId }, { additionalProperties: false }),
    companies: Type.Object(
      {
        a: Name,
        b: Type.Optional(Name),
        b_customer_in_a: Name,
        a_supplier_in_b: Name,
      },
      { additionalProperties: false },
    ),
    supplier: Name,
    warehouses: Type.Object({ a: Name, b: Name }, { additionalProperties: false }),
    counts: Type.Object(
      { items: Type.Integer({ minimum: 1 }), serials: Type.Integer({ minimum: 1 }) },
      { additionalProperties: false },
    ),
    reference: Type.Optional(Name),
  },
  { additionalProperties: false },
);

export const StepDoneData = Type.Object(
  {
    instance: InstanceId,
    documents: Type.Array(DocumentRef, { minItems: 1 }),
    attempt: Attempt,
    duration_ms: Count,
  },
  { additionalProperties: false },
);

export const StepFailedData = Type.Object(
  {
    instance: InstanceId,
    error: ErrorInfo,
    attempt: Attempt,
    retryable: Type.Boolean({ description: 'whether a retry can succeed once the cause is fixed' }),
  },
  { additionalProperties: false },
);

export const WaitingReason = Type.Union([
  Type.Literal('breaker_open'),
  Type.Literal('rate_limited'),
  Type.Literal('maintenance'),
  Type.Literal('unavailable'),
]);

export const StepWaitingData = Type.Object(
  {
    instance: InstanceId,
    reason: WaitingReason,
    next_attempt_at: Type.String({ format: 'date-time' }),
    attempt: Attempt,
    detail: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const RetryRequestedData = Type.Object(
  { step: StepName, reason: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);

export const CancelRequestedData = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);

export const StepCancelledData = Type.Object(
  {
    instance: InstanceId,
    documents: Type.Array(DocumentRef, {
      description: 'documents cancelled; empty when the step had made none',
    }),
  },
  { additionalProperties: false },
);

export const StepCancelFailedData = Type.Object(
  { instance: InstanceId, error: ErrorInfo, attempt: Attempt },
  { additionalProperties: false },
);

export const TransferCancelledData = Type.Object(
  { steps_cancelled: Type.Array(StepName, { description: 'steps whose documents were cancelled' }) },
  { additionalProperties: false },
);
