import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, invalidRequest, unavailable } from './api-error.js';
import { JsonBodyError } from './json-body.js';
import { RequestValidationError } from './validation.js';

/** How a 400 names the part of the request that did not pass its schema. */
const PARTS: Readonly<Record<string, string>> = {
  body: 'the request is',
  params: 'the URL is',
  headers: 'the request headers are',
  querystring: 'the query string is',
};

/** Fastify's own client errors, in the chassis' words (their messages say nothing of the request). */
function fastifyClientError(error: FastifyError, request: FastifyRequest): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = request.routeOptions.bodyLimit;
      return new ApiError(
        413,
        'body_too_large',
        `the body is larger than this route takes (${limit.toLocaleString('en')} bytes): ${
          request.routeOptions.config.bodyLimitReason ?? 'send less'
        }`,
        { limit_bytes: limit },
      );
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(
        415,
        'unsupported_media_type',
        'the body must be JSON, sent with the header "Content-Type: application/json"',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'invalid_request', 'the body is not as long as its Content-Length says');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError(414, 'invalid_request', 'a part of the URL is too long');
    case 'FST_ERR_BAD_URL':
      return new ApiError(400, 'invalid_request', 'the URL is not valid (a malformed percent-encoding)');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'invalid_request', 'the body is empty; send a JSON object');
    default:
      return undefined;
  }
}

/** How registerErrorHandling answers the failures that are not the request's fault. */
export interface ErrorHandlingOptions {
  /**
   * Whether a thrown error means a dependency cannot be reached just now (e.g. `natsUnavailable`
   * of @interco/bus): answered 503 `unavailable` with Retry-After instead of 500.
   */
  readonly isUnavailable?: (error: unknown) => boolean;
  /** The message of that 503. */
  readonly unavailableMessage?: string;
  /** Its Retry-After, in seconds (5 by default). */
  readonly retryAfterSeconds?: number;
}

const DEFAULT_UNAVAILABLE_MESSAGE = 'Interco cannot reach what it depends on just now: try again shortly';

/** The ApiError a thrown error answers as; undefined for a server-side failure (500). */
export function toApiError(
  error: unknown,
  request: FastifyRequest,
  options: ErrorHandlingOptions = {},
): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof RequestValidationError) {
    return invalidRequest(
      error.problems,
      `${PARTS[error.part] ?? 'the request is'} not valid: see problems (each names its path)`,
    );
  }
  if (error instanceof JsonBodyError) {
    return new ApiError(
      400,
      'malformed_json',
      error.message,
      error.syntax === undefined
        ? {}
        : { line: error.syntax.line, column: error.syntax.column, position: error.syntax.position },
    );
  }
  if (options.isUnavailable?.(error) === true) {
    return unavailable(options.unavailableMessage ?? DEFAULT_UNAVAILABLE_MESSAGE, options.retryAfterSeconds);
  }
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_')) {
    const mapped = fastifyClientError(fastifyError as FastifyError, request);
    if (mapped !== undefined) return mapped;
    const status = fastifyError.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return new ApiError(status, 'invalid_request', fastifyError.message ?? 'the request is not valid');
    }
  }
  return undefined;
}

function send(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.status).headers(error.headers).type('application/json').send(error.body());
}

/**
 * Fastify's `frameworkErrors` option: errors met before routing (a malformed URL, a path segment
 * too long), answered in the same shape.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const answer =
    fastifyClientError(error, request) ?? new ApiError(400, 'invalid_request', 'the request is not valid');
  void send(reply, answer);
}

/**
 * One error shape for every answer that is not a success (ApiError.body()), whatever failed:
 * fastify's own client errors (bad JSON with where it failed, 413 with the limit, 415, 404 for an
 * unknown route), validation, the handlers' ApiErrors, a dependency not answering (503 with
 * Retry-After, as `options.isUnavailable` says). Anything else is a 500 that says nothing of what
 * happened (it is logged).
 */
export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error, request, reply) => {
    const answer = toApiError(error, request, options);
    if (answer !== undefined) {
      if (answer.status >= 500) request.log.warn({ err: error }, `answered ${answer.status}: ${answer.code}`);
      return send(reply, answer);
    }
    request.log.error({ err: error }, 'request failed');
    return send(
      reply,
      new ApiError(500, 'internal_error', `Interco failed to answer this request (request id ${request.id})`),
    );
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return send(reply, new ApiError(404, 'not_found', `there is no route ${request.method} ${path}`));
  });
}
