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

/**
 * The codes every API built on this chassis may answer with: the chassis' own (validation, JSON,
 * routing, media type, body limit, 503, 500) and those of @interco/auth (401, 403). A service
 * adds its own in a union of its own (e.g. `CommonErrorCode | 'serials_in_use'`) and throws
 * `new ApiError<ItsCode>(...)` so its codes are checked.
 */
export type CommonErrorCode =
  | 'invalid_request'
  | 'malformed_json'
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'unavailable'
  | 'internal_error'
  | 'unauthorized'
  | 'forbidden';

/**
 * An answer that is not a success, as a value: thrown by handlers (and hooks), answered by the
 * error handler of registerErrorHandling as `status`, `headers` and body(). `Code` is the
 * service's union of codes (any string by default).
 */
export class ApiError<Code extends string = string> extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: Code,
    message: string,
    /** More fields of the body, as the code documents them (e.g. `limit_bytes`). */
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
export function invalidRequest(problems: readonly Problem[], message?: string): ApiError<'invalid_request'> {
  const count = problems.length;
  return new ApiError(
    400,
    'invalid_request',
    message ??
      `the request is not valid: ${count} problem${count === 1 ? '' : 's'} (see problems; each names its path)`,
    { problems },
  );
}

/** 404 `not_found`. */
export function notFound(message: string): ApiError<'not_found'> {
  return new ApiError(404, 'not_found', message);
}

/** 503 with Retry-After: what the service depends on (NATS, its stores) cannot be reached now. */
export function unavailable(message: string, retryAfterSeconds = 5): ApiError<'unavailable'> {
  return new ApiError(503, 'unavailable', message, {}, { 'retry-after': String(retryAfterSeconds) });
}
