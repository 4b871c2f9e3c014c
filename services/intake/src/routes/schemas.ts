import { TransferId } from '@interco/contracts';
import type { PartValidator } from '@interco/http';
import { ErrorBody, typeboxValidator } from '@interco/http';
import { type TSchema, Type } from '@sinclair/typebox';

/** What each error status means on intake's routes (the OpenAPI descriptions). */
const ERROR_DESCRIPTIONS = {
  400: 'the request is not valid: malformed JSON (with where it fails), or every problem with its path',
  401: 'no valid API token (send "Authorization: Bearer <token>")',
  403: 'the token lacks the scope this route needs',
  404: 'no such resource',
  409: 'the request conflicts with the current state (the message says why)',
  413: 'the body is larger than this route takes (limit_bytes)',
  415: 'the body is not sent as application/json',
  422: 'the request names something that does not exist (an ERPNext instance)',
  503: 'the message bus cannot be reached just now: try again (Retry-After); when the message says the request is recorded or accepted, repeating it (with the same Idempotency-Key) finishes it',
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** Response schemas of the error statuses a route can answer (always the one error shape). */
export function errorResponses(...statuses: ErrorStatus[]): Record<number, TSchema> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      Type.Object(ErrorBody.properties, {
        additionalProperties: true,
        description: ERROR_DESCRIPTIONS[status],
      }),
    ]),
  );
}

/** The errors every authenticated route can answer. */
export const AUTH_ERRORS: ErrorStatus[] = [401, 403, 503];

export const TransferIdParams = Type.Object({ id: TransferId }, { additionalProperties: false });

export const TransferAccepted = Type.Object(
  {
    transfer_id: TransferId,
    status_url: Type.String({
      description:
        'where the transfer’s status is read (served by the tracker): GET it with a transfers:read token',
    }),
  },
  { additionalProperties: false, description: 'the transfer is accepted: its steps run from here' },
);

export const TransferRequestAccepted = Type.Object(
  {
    transfer_id: TransferId,
    generation: Type.Integer({
      minimum: 1,
      description:
        'the generation this request opened; events of older generations are stale from now on (a request that finished an earlier one, whose event had not reached the stream, answers that one’s generation)',
    }),
    status_url: Type.String({ description: 'where the transfer’s status is read (served by the tracker)' }),
  },
  { additionalProperties: false },
);

export const ReasonBody = Type.Object(
  {
    reason: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1000, description: 'why, for the people reading the history' }),
    ),
  },
  { additionalProperties: false, description: 'optional; the body may be left out' },
);

/** A body that may be left out (no body is `{}`), else checked against `schema`. */
export function optionalBody(schema: TSchema): PartValidator {
  const check = typeboxValidator(schema);
  return (value) => (value === undefined ? { ok: true, value: {} } : check(value));
}

/** The Idempotency-Key header (POST /v1/transfers and the plan's route). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: '^[\\x21-\\x7e]{1,255}$',
      description:
        '1 to 255 visible ASCII characters, e.g. a UUID: the same key with the same body answers the same transfer (kept 24 hours, per token); with another body, 409',
    }),
  ),
});
