import { InstanceId, StepName, TransferStatus } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';

/** Query strings arrive as text: numbers and booleans are checked as text, then read. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

const Name = Type.String({ minLength: 1, maxLength: 140 });
const Time = Type.String({
  format: 'date-time',
  description: 'RFC 3339, e.g. 2026-12-31T23:59:00Z',
});

/** 1 to 200 as query-string text (no sign, no leading zero). */
const ONE_TO_200 = '^(?:[1-9]|[1-9][0-9]|1[0-9]{2}|200)$';
/** 1 to 1000 as query-string text. */
export const ONE_TO_1000 = '^(?:[1-9][0-9]{0,2}|1000)$';

/** A page size written as query-string text, checked by `pattern`. */
export function limitText(pattern: string, max: number, fallback: number) {
  return Type.String({ pattern, description: `a whole number from 1 to ${max} (default ${fallback})` });
}

/** An opaque page token from a previous answer. */
export const CursorText = Type.String({
  minLength: 1,
  maxLength: 512,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'the next_cursor of the previous page (opaque)',
});

/** `GET /v1/transfers`: every filter is optional; they combine with AND. */
export const ListTransfersQuery = Type.Object(
  {
    status: Type.Optional(TransferStatus),
    step: Type.Optional(StepName),
    created_from: Type.Optional(Type.String({ ...Time, description: 'created at or after (RFC 3339)' })),
    created_to: Type.Optional(Type.String({ ...Time, description: 'created before (RFC 3339)' })),
    instance: Type.Optional(Type.String({ ...InstanceId, description: 'either side’s ERPNext instance' })),
    company: Type.Optional(
      Type.String({ ...Name, description: 'any company the transfer names (a, b, customer, supplier)' }),
    ),
    reference: Type.Optional(Name),
    serial: Type.Optional(
      Type.String({ ...Name, description: 'a serial the transfer moved (looked up by its keyed digest)' }),
    ),
    stuck: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    limit: Type.Optional(limitText(ONE_TO_200, MAX_LIMIT, DEFAULT_LIMIT)),
    cursor: Type.Optional(CursorText),
  },
  { $id: 'ListTransfersQuery', additionalProperties: false },
);
export type ListTransfersQuery = Static<typeof ListTransfersQuery>;

/** `limit` as a number: the text checked by the schema (or the default), capped at `max`. */
export function readLimit(text: string | undefined, max: number, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 && value <= max ? value : undefined;
}
