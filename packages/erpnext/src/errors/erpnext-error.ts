/**
 * ErpnextError: every failed call to an ERPNext instance, as one typed value. `classify()` (in
 * classify.ts) is the only place that builds them from what happened; everything else reads
 * `kind` to decide what to do:
 *
 * | kind        | what to do                                                                   |
 * | ----------- | ---------------------------------------------------------------------------- |
 * | `transient` | retry later with backoff (honour `retryAfterMs`); for a write whose           |
 * |             | `outcomeUnknown` is true, look the document up (by its marker) first          |
 * | `conflict`  | marker taken: read the existing document and reuse it; stale `modified`:      |
 * |             | read the document again and retry the write                                   |
 * | `permanent` | stop; show `messages` (ERPNext's own words)                                   |
 * | `auth`      | stop; the instance's credentials or roles need fixing                         |
 *
 * Nothing here ever holds the API secret or the request's query (filters may list serials):
 * `operation` names the call and doctype only.
 *
 * ERPNext's own words may quote serial numbers (PINs), e.g. "Serial No <strong>PIN-1234</strong>
 * is already present in the warehouse…". They are kept in `messages` (and the traceback line in
 * `exception`), which the caller passes on only where access is controlled (the step's failed
 * event). `message`, `describe()` and `toJSON()` (what ends up in logs) are built from the
 * instance, operation, kind, reason, status and `exc_type` only, never from ERPNext's words.
 */

export type ErpnextErrorKind = 'transient' | 'conflict' | 'permanent' | 'auth';

/** Why, one level finer than `kind`. */
export type ErpnextErrorReason =
  // transient
  | 'network' // connection refused/reset/closed, DNS failure, broken HTTP
  | 'timeout' // no answer within the read/write timeout (or an HTTP 408)
  | 'gateway' // 502, 504: nginx could not reach the workers, or they were too slow
  | 'unavailable' // 503 (maintenance, read-only mode) and other 5xx from proxies
  | 'deadlock' // 500 QueryDeadlockError (MariaDB 1213), 508
  | 'lock_timeout' // 500 QueryTimeoutError (MariaDB 1205)
  | 'database_unavailable' // 500 OperationalError 2006/2013: the database connection went away
  | 'rate_limited' // 429, with Retry-After
  | 'breaker_open' // the instance's circuit breaker is open: the call was not sent
  // conflict (or permanent when not on the marker)
  | 'unique_violation' // 417 UniqueValidationError
  | 'timestamp_mismatch' // 417 TimestampMismatchError
  // permanent
  | 'validation' // other 417 (ValidationError and subclasses)
  | 'not_found' // 404
  | 'duplicate' // 409 DuplicateEntryError (a name taken)
  | 'server_error' // 500 with any other exception (TypeError, DataError...): a bug on one side
  | 'too_large' // 413: the body is over the site's max_file_size (25 MiB)
  | 'request_line_too_long' // gunicorn's 400 "Request Line is too large", nginx's 414
  | 'bad_request' // other 4xx
  | 'unexpected_status' // 1xx/3xx, 501, 505: not something ERPNext answers
  | 'bad_response' // a success whose body is not the JSON ERPNext sends
  | 'client_error' // the request could not be made (a bug on our side), or the client is closed
  // auth
  | 'unauthenticated' // 401, or a 400 about the Authorization header
  | 'forbidden'; // 403

/** The unique Custom Field that carries Interco's marker, as the caller names it. */
export interface MarkerField {
  fieldname: string;
  /** The field's label: Frappe's message is "{label} must be unique". */
  label?: string;
}

export interface ErpnextErrorInit {
  kind: ErpnextErrorKind;
  reason: ErpnextErrorReason;
  instanceId: string;
  operation: string;
  status?: number;
  excType?: string;
  /** The last traceback line (`exception`), when the site sends it. */
  exception?: string;
  messages?: readonly string[];
  retryAfterMs?: number;
  /** A short text for answers that are not ERPNext's JSON (nginx and gunicorn pages, system errors). */
  detail?: string;
  isUniqueViolation?: boolean;
  uniqueField?: string;
  outcomeUnknown?: boolean;
  cause?: unknown;
}

const MAX_DESCRIPTION = 500;

export class ErpnextError extends Error {
  override readonly name = 'ErpnextError';
  readonly kind: ErpnextErrorKind;
  readonly reason: ErpnextErrorReason;
  readonly instanceId: string;
  /** What was attempted, e.g. `insert Purchase Order`, `call frappe.client.submit`. */
  readonly operation: string;
  /** The HTTP status, when an answer came. */
  readonly status?: number;
  /** Frappe's exception class name (`exc_type`). */
  readonly excType?: string;
  /**
   * The last traceback line, e.g. `frappe.exceptions.ValidationError: Cannot edit cancelled document`.
   * Sensitive: it repeats ERPNext's message, which may quote serial numbers. Not in `message`,
   * `describe()` or `toJSON()`; never log it.
   */
  readonly exception?: string;
  /**
   * What ERPNext showed the user (`_server_messages` decoded twice, then `_error_message`), exactly
   * as sent. Sensitive: may quote serial numbers. Not in `message`, `describe()` or `toJSON()`;
   * pass it on explicitly where access is controlled (the step's failed event), never to a log.
   */
  readonly messages: string[];
  /** How long the site asks us to wait (`Retry-After`), or until the breaker half-opens. */
  readonly retryAfterMs?: number;
  readonly detail?: string;
  /** A unique index refused the row (417 UniqueValidationError). */
  readonly isUniqueViolation: boolean;
  /** The field the unique violation names (a fieldname or a label), when the answer says. */
  readonly uniqueField?: string;
  /**
   * A write that may have been applied: nothing proves the site did not run it (the connection
   * dropped or timed out after the request may have been sent; a 5xx that is not Frappe's JSON
   * error, such as nginx's 502/503/504 or a CDN's 524; a success whose body cannot be read). Look
   * before writing again.
   */
  readonly outcomeUnknown: boolean;

  constructor(init: ErpnextErrorInit) {
    super(describeInit(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.reason = init.reason;
    this.instanceId = init.instanceId;
    this.operation = init.operation;
    if (init.status !== undefined) this.status = init.status;
    if (init.excType !== undefined) this.excType = init.excType;
    if (init.exception !== undefined) this.exception = init.exception;
    this.messages = [...(init.messages ?? [])];
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.detail !== undefined) this.detail = init.detail;
    this.isUniqueViolation = init.isUniqueViolation ?? false;
    if (init.uniqueField !== undefined) this.uniqueField = init.uniqueField;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }

  /** Worth trying again later. */
  get retryable(): boolean {
    return this.kind === 'transient';
  }

  /**
   * One line for people and logs: instance, operation, kind, reason, status and `exc_type` (and
   * when to retry). Never ERPNext's words (they may quote serials): read `messages` for those.
   */
  describe(): string {
    return this.message;
  }

  /** True when this is a unique violation on `field` (or on a field the answer does not name). */
  isUniqueViolationOn(field: MarkerField): boolean {
    if (!this.isUniqueViolation) return false;
    if (this.uniqueField === undefined) return true;
    return sameField(this.uniqueField, field);
  }

  /**
   * A plain object for logs (no `cause`, no stack). Without ERPNext's words: no `messages` (only
   * how many there are) and no `exception`, which may quote serial numbers.
   */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: this.name,
      kind: this.kind,
      reason: this.reason,
      instanceId: this.instanceId,
      operation: this.operation,
      messageCount: this.messages.length,
      isUniqueViolation: this.isUniqueViolation,
      outcomeUnknown: this.outcomeUnknown,
    };
    if (this.status !== undefined) out.status = this.status;
    if (this.excType !== undefined) out.excType = this.excType;
    if (this.retryAfterMs !== undefined) out.retryAfterMs = this.retryAfterMs;
    if (this.detail !== undefined) out.detail = this.detail;
    if (this.uniqueField !== undefined) out.uniqueField = this.uniqueField;
    return out;
  }
}

/** Whether `named` (a fieldname or a label from an answer) is the marker field. */
export function sameField(named: string, field: MarkerField): boolean {
  const key = named.trim().toLowerCase();
  return key === field.fieldname.toLowerCase() || key === field.label?.trim().toLowerCase();
}

function describeInit(init: ErpnextErrorInit): string {
  const head = [init.status === undefined ? undefined : String(init.status), init.excType]
    .filter((part) => part !== undefined)
    .join(' ');
  let line = `${init.instanceId}: ${init.operation} failed (${init.kind}, ${init.reason}${head === '' ? '' : `, ${head}`})`;
  if (init.retryAfterMs !== undefined) line += ` [retry after ${Math.ceil(init.retryAfterMs)} ms]`;
  return oneLine(line);
}

/** Whitespace collapsed, bounded: the instance id and operation come from callers. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_DESCRIPTION ? `${line.slice(0, MAX_DESCRIPTION - 1)}…` : line;
}

export function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
