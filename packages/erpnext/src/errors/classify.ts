/**
 * The one place that turns whatever happened to a request into an ErpnextError: an HTTP answer
 * that is not a success, a transport failure (refused, reset, dropped, timed out), or the
 * instance's breaker refusing the call. The table (docs: "One table from answer to action"):
 *
 * | answer                                                                  | kind      |
 * | ----------------------------------------------------------------------- | --------- |
 * | network error, timeout, 408, 502/503/504/524, 508, 429 (`Retry-After`)   | transient |
 * | 500 QueryDeadlockError / QueryTimeoutError (or OperationalError 1213,    | transient |
 * | 1205, 2006, 2013 from older sites)                                      |           |
 * | breaker open (the call was not sent)                                    | transient |
 * | 417 UniqueValidationError on the marker field the caller names          | conflict  |
 * | 417 TimestampMismatchError                                              | conflict  |
 * | other 417 (UniqueValidationError on another field too), 404, 409        | permanent |
 * | 500 other (TypeError, DataError...), 413, gunicorn's 400 "Request Line   | permanent |
 * | is too large", nginx's 414, other 4xx, 3xx, unreadable success bodies,  |           |
 * | a request that could not be built (a bug on our side, a closed client)  |           |
 * | 401, 403, 400 about the Authorization header                            | auth      |
 *
 * 429 and 408 are transient for the caller, but no 4xx answer ever counts against the
 * instance's circuit breaker (see ../client/breaker.ts): the site is up and answering.
 *
 * A write's outcome is unknown (`outcomeUnknown`) unless something proves the site did not
 * apply it:
 * - transport failures are unknown, except those before anything was sent: connection refused,
 *   DNS failures, a connect that failed or timed out (`syscall` connect/getaddrinfo), and a
 *   request refused by undici or Node before sending (invalid URL or argument). Resets, closed or
 *   destroyed connections (UND_ERR_CLOSED, UND_ERR_SOCKET, ECONNRESET...), timeouts and codes
 *   this table does not know are transient and unknown;
 * - a 5xx without Frappe's JSON error body (nginx's 502/503/504, a CDN's 524, any other gateway
 *   or HTML page) is unknown: the worker may have run and committed the write. A Frappe JSON
 *   error (`exc_type` present) means the request ran and Frappe rolled it back: known;
 * - a 2xx whose body cannot be used is unknown; 4xx answers are known (refused, not applied),
 *   except 408.
 */
import {
  decodeEntities,
  ErpnextError,
  type ErpnextErrorInit,
  type MarkerField,
  sameField,
} from './erpnext-error.js';
import { type DecodedErrorBody, decodeErrorBody } from './frappe-body.js';
import { parseRetryAfter } from './retry-after.js';

export type ResponseHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What happened to one request. */
export type Outcome =
  /** An answer came (any status; a 2xx here means its body could not be used). */
  | { type: 'response'; status: number; headers?: ResponseHeaders; body: string }
  /** No answer: the transport threw (undici or system error), or building the request failed. */
  | { type: 'failure'; error: unknown }
  /** The instance's breaker is open: nothing was sent. `halfOpenAt` is epoch ms. */
  | { type: 'breaker_open'; halfOpenAt: number };

export interface ClassifyContext {
  instanceId: string;
  /** e.g. `insert Purchase Order`: the call and doctype, never the query or body. */
  operation: string;
  /** The request may change data (so a lost answer leaves its outcome unknown). Default false. */
  write?: boolean;
  /** The unique field carrying Interco's marker: a UniqueValidationError on it is a conflict. */
  marker?: MarkerField;
  /** Clock for `Retry-After` dates and breaker times. Default Date.now(). */
  now?: number;
}

export function classify(outcome: Outcome, context: ClassifyContext): ErpnextError {
  switch (outcome.type) {
    case 'response':
      return classifyResponse(outcome.status, outcome.headers ?? {}, outcome.body, context);
    case 'failure':
      return classifyFailure(outcome.error, context);
    case 'breaker_open': {
      const now = context.now ?? Date.now();
      return new ErpnextError({
        ...base(context),
        kind: 'transient',
        reason: 'breaker_open',
        retryAfterMs: Math.max(0, outcome.halfOpenAt - now),
        detail: `circuit breaker open until ${new Date(outcome.halfOpenAt).toISOString()}`,
      });
    }
  }
}

type Verdict = Pick<ErpnextErrorInit, 'kind' | 'reason'> &
  Partial<Pick<ErpnextErrorInit, 'isUniqueViolation' | 'uniqueField' | 'outcomeUnknown'>>;

function classifyResponse(
  status: number,
  headers: ResponseHeaders,
  text: string,
  context: ClassifyContext,
): ErpnextError {
  const body = decodeErrorBody(text);
  const verdict = responseVerdict(status, body, context);
  const init: ErpnextErrorInit = { ...base(context), ...verdict, status, messages: body.messages };
  if (body.excType !== undefined) init.excType = body.excType;
  if (body.exception !== undefined) init.exception = body.exception;
  if (body.detail !== undefined) init.detail = body.detail;
  if (verdict.reason === 'request_line_too_long') {
    const line = /Request Line is too large \([^)]*\)/.exec(body.text)?.[0];
    if (line !== undefined) init.detail = decodeEntities(line);
  }
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), context.now ?? Date.now());
    if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
  }
  return new ErpnextError(init);
}

function responseVerdict(status: number, body: DecodedErrorBody, context: ClassifyContext): Verdict {
  const verdict = statusVerdict(status, body, context);
  // Any 5xx that is not Frappe's own JSON error: a proxy answered, the worker may have committed.
  if (context.write === true && status >= 500 && body.excType === undefined) verdict.outcomeUnknown = true;
  return verdict;
}

function statusVerdict(status: number, body: DecodedErrorBody, context: ClassifyContext): Verdict {
  const exc = body.excType;
  const write = context.write === true;
  // A success we cannot read: a write may have been applied all the same.
  if (status >= 200 && status < 300)
    return { kind: 'permanent', reason: 'bad_response', outcomeUnknown: write };
  if (status < 200 || (status >= 300 && status < 400))
    return { kind: 'permanent', reason: 'unexpected_status' };
  switch (status) {
    case 400:
      if (body.json === undefined && /Request Line is too large/.test(body.text)) {
        return { kind: 'permanent', reason: 'request_line_too_long' };
      }
      if (exc !== undefined && AUTH_HEADER_ERRORS.has(exc))
        return { kind: 'auth', reason: 'unauthenticated' };
      return { kind: 'permanent', reason: 'bad_request' };
    case 401:
      return { kind: 'auth', reason: 'unauthenticated' };
    case 403:
      return { kind: 'auth', reason: 'forbidden' };
    case 404:
      return { kind: 'permanent', reason: 'not_found' };
    case 408:
      return { kind: 'transient', reason: 'timeout', outcomeUnknown: write };
    case 409:
      return { kind: 'permanent', reason: 'duplicate' };
    case 413:
      return { kind: 'permanent', reason: 'too_large' };
    case 414:
      return { kind: 'permanent', reason: 'request_line_too_long' };
    case 417:
      return validationVerdict(body, context);
    case 429:
      return { kind: 'transient', reason: 'rate_limited' };
    case 500:
      return serverErrorVerdict(body);
    case 501:
    case 505:
      return { kind: 'permanent', reason: 'unexpected_status' };
    case 502:
    case 504:
    case 524: // a CDN (Cloudflare) gave up waiting for the origin
      return { kind: 'transient', reason: 'gateway' };
    case 508:
      return { kind: 'transient', reason: 'deadlock' };
  }
  if (status >= 500) return { kind: 'transient', reason: 'unavailable' };
  return { kind: 'permanent', reason: 'bad_request' };
}

/** Frappe's CSRFTokenError family: the Authorization header could not be read. */
const AUTH_HEADER_ERRORS = new Set([
  'InvalidAuthorizationToken',
  'InvalidAuthorizationHeader',
  'InvalidAuthorizationPrefix',
  'CSRFTokenError',
  'AuthenticationError',
]);

function validationVerdict(body: DecodedErrorBody, context: ClassifyContext): Verdict {
  if (body.excType === 'TimestampMismatchError') return { kind: 'conflict', reason: 'timestamp_mismatch' };
  if (body.excType !== 'UniqueValidationError') return { kind: 'permanent', reason: 'validation' };
  const uniqueField = uniqueFieldOf(body);
  const onMarker =
    context.marker !== undefined && (uniqueField === undefined || sameField(uniqueField, context.marker));
  const verdict: Verdict = {
    kind: onMarker ? 'conflict' : 'permanent',
    reason: 'unique_violation',
    isUniqueViolation: true,
  };
  if (uniqueField !== undefined) verdict.uniqueField = uniqueField;
  return verdict;
}

/**
 * The field a UniqueValidationError names: the MariaDB key in the exception line
 * (`Duplicate entry 'x' for key 'custom_interco_marker'`, MySQL 8 prefixes the table), else the
 * label in "{label} must be unique".
 */
function uniqueFieldOf(body: DecodedErrorBody): string | undefined {
  const key = /for key '([^']+)'/.exec(body.exception ?? '')?.[1];
  if (key !== undefined) return key.slice(key.lastIndexOf('.') + 1);
  for (const message of body.messages) {
    const label = /^(.+) must be unique$/.exec(message.trim())?.[1];
    if (label !== undefined) return label.replace(/<[^>]*>/g, '');
  }
  return undefined;
}

function serverErrorVerdict(body: DecodedErrorBody): Verdict {
  if (body.excType === 'QueryDeadlockError') return { kind: 'transient', reason: 'deadlock' };
  if (body.excType === 'QueryTimeoutError') return { kind: 'transient', reason: 'lock_timeout' };
  if (body.excType === 'OperationalError' || body.excType === 'InternalError') {
    // Older sites (before QueryDeadlockError existed) let pymysql's errors through.
    const code = /\((\d{4}),/.exec(body.exception ?? '')?.[1];
    if (code === '1213') return { kind: 'transient', reason: 'deadlock' };
    if (code === '1205') return { kind: 'transient', reason: 'lock_timeout' };
    if (code === '2006' || code === '2013') return { kind: 'transient', reason: 'database_unavailable' };
  }
  return { kind: 'permanent', reason: 'server_error' };
}

/** Codes that say the request never left: the connection was refused, or the name did not resolve. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** System calls whose failure happens before a request can be written: connecting, resolving. */
const NOT_SENT_SYSCALLS = new Set(['connect', 'getaddrinfo', 'getaddrinfo6', 'lookup']);
/** undici and Node refusing a request before sending it: a bug on our side, not a transport failure. */
const REFUSED_BEFORE_SEND_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_CHAR',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
]);

/**
 * A failure with a code is a transport failure (transient), unless undici or Node refused the
 * request before sending it (permanent, a bug). Without a code it is our own error before sending
 * (permanent `client_error`: JSON that cannot be serialized, a closed client), except an abort
 * timeout. Unknown codes (UND_ERR_CLOSED, UND_ERR_DESTROYED, new undici codes...) are transient:
 * nothing says the site is at fault for good, or that the request was not sent.
 */
function classifyFailure(error: unknown, context: ClassifyContext): ErpnextError {
  if (error instanceof ErpnextError) return error;
  const code = errorCode(error);
  const detail = failureDetail(error, code);
  const init: ErpnextErrorInit = {
    ...base(context),
    kind: 'permanent',
    reason: 'client_error',
    cause: error,
  };
  if (detail !== undefined) init.detail = detail;
  const timedOut =
    (code !== undefined && TIMEOUT_CODES.has(code)) ||
    (error instanceof Error && error.name === 'TimeoutError');
  if (timedOut) {
    init.kind = 'transient';
    init.reason = 'timeout';
  } else if (code !== undefined && !REFUSED_BEFORE_SEND_CODES.has(code)) {
    init.kind = 'transient';
    init.reason = 'network';
  }
  if (init.kind === 'transient') init.outcomeUnknown = context.write === true && !notSent(error, code);
  return new ErpnextError(init);
}

/** Whether the failure proves the request was never sent. */
function notSent(error: unknown, code: string | undefined): boolean {
  if (code !== undefined && NOT_SENT_CODES.has(code)) return true;
  const syscall = errorField(error, 'syscall');
  return syscall !== undefined && NOT_SENT_SYSCALLS.has(syscall);
}

/** `code` of the error, of its cause, or of the first of an AggregateError (happy eyeballs). */
function errorCode(error: unknown): string | undefined {
  return errorField(error, 'code');
}

/** A string field of the error, of its cause, or of the first of an AggregateError that has it. */
function errorField(error: unknown, field: 'code' | 'syscall', depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const value = (error as Record<string, unknown>)[field];
  if (typeof value === 'string' && value !== '') return value;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerValue = errorField(inner, field, depth + 1);
      if (innerValue !== undefined) return innerValue;
    }
  }
  return errorField((error as { cause?: unknown }).cause, field, depth + 1);
}

/** A short text for a failure: its code and message (undici and system messages hold no secrets). */
function failureDetail(error: unknown, code: string | undefined): string | undefined {
  const message = error instanceof Error ? error.message : undefined;
  const text = [code, message].filter((part) => part !== undefined && part !== '').join(': ');
  if (text === '') return undefined;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function base(context: ClassifyContext): Pick<ErpnextErrorInit, 'instanceId' | 'operation'> {
  return { instanceId: context.instanceId, operation: context.operation };
}

function header(headers: ResponseHeaders, name: string): string | readonly string[] | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}
