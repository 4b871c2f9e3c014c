import { Problem } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';

/**
 * The one JSON shape of every answer that is not a success: a stable `error` code, a sentence a
 * person can act on, the problems with their paths when there are several, and whatever else
 * the code documents (e.g. `serials` and `count` for `serials_in_use`, `limit_bytes` for
 * `body_too_large`). The 401 and 403 bodies of @interco/auth have the same shape.
 */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'a stable code, e.g. invalid_request, serials_in_use, unavailable' }),
    message: Type.String({ description: 'what went wrong, in words a person can act on' }),
    problems: Type.Optional(
      Type.Array(Problem, { description: 'every problem found, each with the path it concerns' }),
    ),
  },
  { additionalProperties: true, description: 'the error shape of every 4xx and 5xx answer' },
);
export type ErrorBody = Static<typeof ErrorBody> & Record<string, unknown>;

/** The codes intake answers with (besides `unauthorized` and `forbidden` from @interco/auth). */
export type ErrorCode =
  | 'invalid_request'
  | 'malformed_json'
  | 'not_found'
  | 'method_not_allowed'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_progress'
  | 'serials_in_use'
  | 'transfer_state'
  | 'conflict'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'unknown_instance'
  | 'unavailable'
  | 'internal_error';

/** An answer that is not a success, as a value: thrown by handlers, answered by the error handler. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'unauthorized' | 'forbidden',
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  body(): ErrorBody {
    return { error: this.code, message: this.message, ...this.details };
  }
}

/** 400 listing every problem with its path. */
export function invalidRequest(problems: readonly Problem[], message?: string): ApiError {
  const count = problems.length;
  return new ApiError(
    400,
    'invalid_request',
    message ??
      `the request is not valid: ${count} problem${count === 1 ? '' : 's'} (see problems; each names its path)`,
    { problems },
  );
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'not_found', message);
}

/** 503 with Retry-After: what intake depends on (NATS, its stores) cannot be reached now. */
export function unavailable(message: string, retryAfterSeconds = 5): ApiError {
  return new ApiError(503, 'unavailable', message, {}, { 'retry-after': String(retryAfterSeconds) });
}
