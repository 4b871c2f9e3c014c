import { describe, expect, it } from 'vitest';
import {
  frappeErrorBody,
  gunicornRequestLinePage,
  nginxPage,
  plain,
  pythonJsonDumps,
  thrown,
  WERKZEUG_413_PAGE,
} from '../test-support/frappe-bodies.js';
import { type ClassifyContext, classify } from './classify.js';
import { ErpnextError, type MarkerField } from './erpnext-error.js';

const NOW = Date.parse('2026-03-02T10:00:00Z');
const read: ClassifyContext = { instanceId: 'company-a', operation: 'get Purchase Order', now: NOW };
const write: ClassifyContext = {
  instanceId: 'company-a',
  operation: 'insert Purchase Order',
  write: true,
  now: NOW,
};
const MARKER: MarkerField = { fieldname: 'custom_interco_marker', label: 'Interco Marker' };

function answer(status: number, body: string, context: ClassifyContext = read, headers = {}): ErpnextError {
  return classify({ type: 'response', status, body, headers }, context);
}

function failure(error: unknown, context: ClassifyContext = read): ErpnextError {
  return classify({ type: 'failure', error }, context);
}

function systemError(code: string, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { code });
}

describe('classify: transient', () => {
  it.each([
    ['ECONNREFUSED', 'network'],
    ['ECONNRESET', 'network'],
    ['ENOTFOUND', 'network'],
    ['EAI_AGAIN', 'network'],
    ['EPIPE', 'network'],
    ['UND_ERR_SOCKET', 'network'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['ETIMEDOUT', 'timeout'],
  ])('a %s failure is transient (%s)', (code, reason) => {
    const error = failure(systemError(code));
    expect(error).toBeInstanceOf(ErpnextError);
    expect(error.kind).toBe('transient');
    expect(error.reason).toBe(reason);
    expect(error.status).toBeUndefined();
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.instanceId).toBe('company-a');
    expect(error.operation).toBe('get Purchase Order');
  });

  it('an AbortSignal timeout is a transient timeout', () => {
    const error = failure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    expect([error.kind, error.reason]).toEqual(['transient', 'timeout']);
  });

  it('an AggregateError (several addresses refused) is a network error', () => {
    const error = failure(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]));
    expect([error.kind, error.reason]).toEqual(['transient', 'network']);
  });

  it('a write whose connection dropped after sending has an unknown outcome; a refused connect does not', () => {
    expect(failure(systemError('UND_ERR_SOCKET', 'other side closed'), write).outcomeUnknown).toBe(true);
    expect(failure(systemError('UND_ERR_HEADERS_TIMEOUT'), write).outcomeUnknown).toBe(true);
    expect(failure(systemError('ECONNREFUSED'), write).outcomeUnknown).toBe(false);
    expect(failure(systemError('UND_ERR_SOCKET'), read).outcomeUnknown).toBe(false);
  });

  it.each([
    'UND_ERR_CLOSED',
    'UND_ERR_DESTROYED',
    'UND_ERR_SOCKET',
    'UND_ERR_ABORTED',
    'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
    'ECONNRESET',
    'EPIPE',
    'ECONNABORTED',
    'EHOSTUNREACH',
    'ERR_STREAM_PREMATURE_CLOSE',
    'HPE_INVALID_CONSTANT',
    'UND_ERR_SOMETHING_NEW',
  ])('%s on a write: transient network error, outcome unknown', (code) => {
    const error = failure(systemError(code), write);
    expect([error.kind, error.reason, error.outcomeUnknown]).toEqual(['transient', 'network', true]);
    expect(failure(systemError(code), read).outcomeUnknown).toBe(false);
  });

  it('timeouts on a write (undici, system, AbortSignal): outcome unknown', () => {
    for (const error of [
      systemError('UND_ERR_HEADERS_TIMEOUT'),
      systemError('UND_ERR_BODY_TIMEOUT'),
      systemError('ETIMEDOUT'),
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    ]) {
      const classified = failure(error, write);
      expect([classified.kind, classified.reason, classified.outcomeUnknown]).toEqual([
        'transient',
        'timeout',
        true,
      ]);
    }
  });

  it.each([
    ['ECONNREFUSED', 'network'],
    ['ENOTFOUND', 'network'],
    ['EAI_AGAIN', 'network'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
  ])('%s on a write happened before sending: transient (%s), outcome known', (code, reason) => {
    const error = failure(systemError(code), write);
    expect([error.kind, error.reason, error.outcomeUnknown]).toEqual(['transient', reason, false]);
  });

  it('a connect or DNS system call that failed proves nothing was sent; the same code on a read/write call does not', () => {
    const atConnect = Object.assign(systemError('EHOSTUNREACH'), { syscall: 'connect' });
    const atWrite = Object.assign(systemError('EHOSTUNREACH'), { syscall: 'write' });
    const resetAtConnect = Object.assign(systemError('ECONNRESET'), { syscall: 'connect' });
    expect(failure(atConnect, write).outcomeUnknown).toBe(false);
    expect(failure(resetAtConnect, write).outcomeUnknown).toBe(false);
    expect(failure(atWrite, write).outcomeUnknown).toBe(true);
    const wrapped = new AggregateError([atConnect, atConnect]);
    expect(failure(wrapped, write).outcomeUnknown).toBe(false);
  });

  it('a request refused before sending (invalid URL or argument) is permanent and known', () => {
    for (const code of ['UND_ERR_INVALID_ARG', 'ERR_INVALID_URL', 'ERR_INVALID_ARG_TYPE']) {
      const error = failure(systemError(code), write);
      expect([error.kind, error.reason, error.outcomeUnknown]).toEqual(['permanent', 'client_error', false]);
    }
    const bug = failure(new TypeError('Do not know how to serialize a BigInt'), write);
    expect([bug.kind, bug.outcomeUnknown]).toEqual(['permanent', false]);
  });

  it.each([
    [502, 'gateway', '502 Bad Gateway'],
    [503, 'unavailable', '503 Service Temporarily Unavailable'],
    [504, 'gateway', '504 Gateway Time-out'],
  ] as const)("nginx's %i page is transient (%s)", (status, reason, detail) => {
    const error = answer(status, nginxPage(status));
    expect(error.kind).toBe('transient');
    expect(error.reason).toBe(reason);
    expect(error.status).toBe(status);
    expect(error.excType).toBeUndefined();
    expect(error.messages).toEqual([]);
    expect(error.detail).toBe(detail);
  });

  it.each([
    [502, nginxPage(502)],
    [503, nginxPage(503)],
    [504, nginxPage(504)],
    [524, '<html><title>example.com | 524: A timeout occurred</title></html>'],
    [500, '<html><title>Internal Server Error</title></html>'],
    [501, ''],
    [508, 'Loop Detected'],
  ])(
    'a %i on a write without Frappe JSON leaves its outcome unknown (the worker may have committed)',
    (status, page) => {
      expect(answer(status, page, write).outcomeUnknown).toBe(true);
      expect(answer(status, page, read).outcomeUnknown).toBe(false);
    },
  );

  it('a 5xx with a Frappe JSON error (exc_type) ran and was rolled back: outcome known', () => {
    expect(answer(500, frappeErrorBody('QueryDeadlockError'), write).outcomeUnknown).toBe(false);
    expect(answer(500, frappeErrorBody('TypeError', { module: 'builtins' }), write).outcomeUnknown).toBe(
      false,
    );
    expect(answer(503, frappeErrorBody('SessionBootFailed'), write).outcomeUnknown).toBe(false);
    expect(answer(508, frappeErrorBody('InternalError'), write).outcomeUnknown).toBe(false);
  });

  it("524 (a CDN's origin timeout) is a transient gateway error", () => {
    expect([answer(524, '').kind, answer(524, '').reason]).toEqual(['transient', 'gateway']);
  });

  it('4xx answers to a write are known (refused, not applied), except 408', () => {
    for (const status of [400, 401, 403, 404, 409, 413, 417, 429]) {
      expect(answer(status, frappeErrorBody('ValidationError'), write).outcomeUnknown).toBe(false);
    }
    expect(answer(408, '', write).outcomeUnknown).toBe(true);
  });

  it('500 QueryDeadlockError is a transient deadlock', () => {
    const body = frappeErrorBody('QueryDeadlockError', {
      text: "(1213, 'Deadlock found when trying to get lock; try restarting transaction')",
    });
    const error = answer(500, body, write);
    expect([error.kind, error.reason, error.status, error.excType]).toEqual([
      'transient',
      'deadlock',
      500,
      'QueryDeadlockError',
    ]);
    expect(error.outcomeUnknown).toBe(false);
    expect(error.exception).toBe(
      "frappe.exceptions.QueryDeadlockError: (1213, 'Deadlock found when trying to get lock; try restarting transaction')",
    );
  });

  it('500 QueryTimeoutError (lock wait) is a transient lock timeout', () => {
    const body = frappeErrorBody('QueryTimeoutError', {
      text: "(1205, 'Lock wait timeout exceeded; try restarting transaction')",
    });
    expect([answer(500, body).kind, answer(500, body).reason]).toEqual(['transient', 'lock_timeout']);
  });

  it("an older site's pymysql OperationalError 1213 / 2006 is transient too", () => {
    const deadlock = frappeErrorBody('OperationalError', {
      module: 'pymysql.err',
      text: "(1213, 'Deadlock found when trying to get lock; try restarting transaction')",
    });
    const gone = frappeErrorBody('OperationalError', {
      module: 'pymysql.err',
      text: "(2006, 'MySQL server has gone away')",
    });
    expect(answer(500, deadlock).reason).toBe('deadlock');
    expect([answer(500, gone).kind, answer(500, gone).reason]).toEqual(['transient', 'database_unavailable']);
  });

  it('508 (a deadlock InternalError) is transient', () => {
    expect(answer(508, frappeErrorBody('InternalError')).kind).toBe('transient');
  });

  it('429 TooManyRequestsError with Retry-After in seconds', () => {
    const error = answer(429, frappeErrorBody('TooManyRequestsError'), read, { 'retry-after': '3' });
    expect([error.kind, error.reason, error.retryAfterMs]).toEqual(['transient', 'rate_limited', 3000]);
    expect(error.excType).toBe('TooManyRequestsError');
  });

  it('429 with Retry-After as an HTTP date', () => {
    const at = new Date(NOW + 7_000).toUTCString();
    expect(
      answer(429, frappeErrorBody('TooManyRequestsError'), read, { 'Retry-After': at }).retryAfterMs,
    ).toBe(7_000);
  });

  it('429 without Retry-After, or with an unreadable one, is transient with no retryAfterMs', () => {
    expect(answer(429, frappeErrorBody('TooManyRequestsError')).retryAfterMs).toBeUndefined();
    expect(answer(429, '', read, { 'retry-after': 'soon' }).retryAfterMs).toBeUndefined();
    expect(answer(429, '', read, { 'retry-after': 'Mon, 01 Jan 2001 00:00:00 GMT' }).retryAfterMs).toBe(0);
  });

  it('an open breaker is transient and says when it half-opens', () => {
    const error = classify({ type: 'breaker_open', halfOpenAt: NOW + 1_500 }, read);
    expect([error.kind, error.reason, error.retryAfterMs, error.status]).toEqual([
      'transient',
      'breaker_open',
      1_500,
      undefined,
    ]);
    expect(error.outcomeUnknown).toBe(false);
  });

  it('408 from a proxy is a transient timeout', () => {
    expect([answer(408, '').kind, answer(408, '').reason]).toEqual(['transient', 'timeout']);
  });
});

describe('classify: conflict', () => {
  const uniqueBody = (traceback: boolean) =>
    frappeErrorBody('UniqueValidationError', {
      traceback,
      text: `('Purchase Order', 'PUR-ORD-2026-00002', IntegrityError(1062, "Duplicate entry 'tr_1:po:0' for key 'custom_interco_marker'"))`,
      messages: [plain('Interco Marker must be unique')],
    });

  it('417 UniqueValidationError on the marker field is a conflict', () => {
    const error = answer(417, uniqueBody(true), { ...write, marker: MARKER });
    expect([error.kind, error.reason, error.status, error.excType]).toEqual([
      'conflict',
      'unique_violation',
      417,
      'UniqueValidationError',
    ]);
    expect(error.isUniqueViolation).toBe(true);
    expect(error.uniqueField).toBe('custom_interco_marker');
    expect(error.isUniqueViolationOn(MARKER)).toBe(true);
    expect(error.messages).toEqual(['Interco Marker must be unique']);
  });

  it('without a traceback (not a System User) the label in the message identifies the field', () => {
    const error = answer(417, uniqueBody(false), { ...write, marker: MARKER });
    expect(error.kind).toBe('conflict');
    expect(error.uniqueField).toBe('Interco Marker');
    expect(error.isUniqueViolationOn(MARKER)).toBe(true);
  });

  it('a MySQL 8 key name (table prefix) is read too', () => {
    const body = frappeErrorBody('UniqueValidationError', {
      text: `('Purchase Order', 'X', IntegrityError(1062, "Duplicate entry 'a' for key 'tabPurchase Order.custom_interco_marker'"))`,
    });
    expect(answer(417, body, { ...write, marker: MARKER }).uniqueField).toBe('custom_interco_marker');
  });

  it('a unique violation on another field is permanent (but still flagged as a unique violation)', () => {
    const body = frappeErrorBody('UniqueValidationError', {
      text: `('Item', 'X', IntegrityError(1062, "Duplicate entry 'b' for key 'barcode'"))`,
      messages: [plain('Barcode must be unique')],
    });
    const error = answer(417, body, { ...write, marker: MARKER });
    expect([error.kind, error.reason, error.isUniqueViolation]).toEqual([
      'permanent',
      'unique_violation',
      true,
    ]);
    expect(error.isUniqueViolationOn(MARKER)).toBe(false);
  });

  it('a unique violation when the caller names no marker is permanent', () => {
    const error = answer(417, uniqueBody(true), write);
    expect([error.kind, error.isUniqueViolation]).toEqual(['permanent', true]);
  });

  it('417 TimestampMismatchError is a conflict (read again, retry the write)', () => {
    const message =
      'Error: PUR-ORD-2026-00001 (Purchase Order) has been modified after you have opened it (2026-03-02 10:00:00.000001, 2026-03-02 10:00:05.000002). Please refresh to get the latest document.';
    const body = frappeErrorBody('TimestampMismatchError', { text: message, messages: [thrown(message)] });
    const error = answer(417, body, write);
    expect([error.kind, error.reason, error.excType]).toEqual([
      'conflict',
      'timestamp_mismatch',
      'TimestampMismatchError',
    ]);
    expect(error.messages).toEqual([message]);
    expect(error.isUniqueViolation).toBe(false);
  });
});

describe('classify: permanent', () => {
  it('417 LinkValidationError: permanent, with the message exactly as sent', () => {
    const body = frappeErrorBody('LinkValidationError', {
      text: 'Could not find Supplier: ACME',
      messages: [thrown('Could not find Supplier: ACME')],
    });
    const error = answer(417, body, write);
    expect([error.kind, error.reason, error.status, error.excType]).toEqual([
      'permanent',
      'validation',
      417,
      'LinkValidationError',
    ]);
    expect(error.messages).toEqual(['Could not find Supplier: ACME']);
    expect(error.outcomeUnknown).toBe(false);
  });

  it('417 MandatoryError: one plain message per missing field, HTML kept', () => {
    const body = frappeErrorBody('MandatoryError', {
      text: '[Purchase Order, PUR-ORD-2026-00003]: supplier, schedule_date',
      messages: [
        plain('Error: Value missing for Purchase Order: Supplier'),
        plain('Error: <strong>Purchase Order Item</strong> Row #1: Value missing for: Required By'),
      ],
    });
    expect(answer(417, body).messages).toEqual([
      'Error: Value missing for Purchase Order: Supplier',
      'Error: <strong>Purchase Order Item</strong> Row #1: Value missing for: Required By',
    ]);
  });

  it('417 ERPNext stock errors (SerialNoDuplicateError, NegativeStockError...) are permanent', () => {
    const text =
      'Serial No <strong>SN-1</strong> is already present in the warehouse <strong>Stores - CA</strong>.';
    const body = frappeErrorBody('SerialNoDuplicateError', {
      module: 'erpnext.stock.doctype.serial_no.serial_no',
      text,
      messages: [thrown(text, 'Error')],
    });
    const error = answer(417, body, write);
    expect([error.kind, error.reason]).toEqual(['permanent', 'validation']);
    expect(error.messages).toEqual([text]);
  });

  it('417 without _server_messages (DocstatusTransitionError raised directly): no messages, exception kept', () => {
    const body = frappeErrorBody('DocstatusTransitionError', {
      text: 'Cannot change docstatus from 0 (Draft) to 2 (Cancelled)',
    });
    const error = answer(417, body, write);
    expect(error.kind).toBe('permanent');
    expect(error.messages).toEqual([]);
    expect(error.exception).toBe(
      'frappe.exceptions.DocstatusTransitionError: Cannot change docstatus from 0 (Draft) to 2 (Cancelled)',
    );
    // the traceback line repeats ERPNext's message: not in the description, not in toJSON
    expect(error.describe()).toBe(
      'company-a: insert Purchase Order failed (permanent, validation, 417 DocstatusTransitionError)',
    );
    expect(error.toJSON()).not.toHaveProperty('exception');
  });

  it('a message that is a list (as_list) gives one message per item', () => {
    const rows = [
      'Row #1: Rate must be same as Purchase Order: PUR-ORD-2026-00001 (11.0 / 10.5)',
      'Row #2: Rate must be same as Purchase Order: PUR-ORD-2026-00001 (12.0 / 10.5)',
    ];
    const body = frappeErrorBody('ValidationError', { messages: [{ ...thrown(rows), as_list: 1 }] });
    expect(answer(417, body).messages).toEqual(rows);
  });

  it('non-ASCII text escaped by Python comes back as written', () => {
    const body = frappeErrorBody('LinkValidationError', {
      messages: [thrown('Could not find Company: Compañía Ñandú')],
    });
    expect(body).toContain('\\\\u00f1');
    expect(answer(417, body).messages).toEqual(['Could not find Company: Compañía Ñandú']);
  });

  it('an entry of _server_messages that does not parse is kept as its raw text', () => {
    const body = JSON.stringify({
      exc_type: 'ValidationError',
      _server_messages: pythonJsonDumps(['not json {']),
    });
    expect(answer(417, body).messages).toEqual(['not json {']);
    const notAList = JSON.stringify({ exc_type: 'ValidationError', _server_messages: 'plain words' });
    expect(answer(417, notAList).messages).toEqual(['plain words']);
  });

  it('404 DoesNotExistError (no traceback on 404) is permanent', () => {
    const body = frappeErrorBody('DoesNotExistError', {
      traceback: false,
      messages: [thrown('Purchase Order PUR-ORD-2026-09999 not found')],
    });
    const error = answer(404, body);
    expect([error.kind, error.reason, error.status, error.excType]).toEqual([
      'permanent',
      'not_found',
      404,
      'DoesNotExistError',
    ]);
    expect(error.messages).toEqual(['Purchase Order PUR-ORD-2026-09999 not found']);
    expect(answer(404, '{"exc_type":"DoesNotExistError"}').messages).toEqual([]);
  });

  it('409 DuplicateEntryError is permanent', () => {
    const message = 'Item <strong>PIN-001</strong> already exists';
    const body = frappeErrorBody('DuplicateEntryError', {
      text: "('Item', 'PIN-001', IntegrityError(1062, \"Duplicate entry 'PIN-001' for key 'PRIMARY'\"))",
      messages: [{ ...thrown(message, 'Duplicate Name') }],
    });
    const error = answer(409, body, write);
    expect([error.kind, error.reason, error.isUniqueViolation]).toEqual(['permanent', 'duplicate', false]);
    expect(error.messages).toEqual([message]);
  });

  it.each([
    ['TypeError', 'builtins', "submit() missing 1 required positional argument: 'doc'"],
    ['DataError', 'pymysql.err', '(1406, "Data too long for column \'serial_no\' at row 1")'],
    ['KeyError', 'builtins', "'run_method'"],
    ['Exception', 'builtins', 'simulated server error'],
  ])('500 %s is permanent', (excType, module, text) => {
    const error = answer(500, frappeErrorBody(excType, { module, text }), write);
    expect([error.kind, error.reason, error.status, error.excType]).toEqual([
      'permanent',
      'server_error',
      500,
      excType,
    ]);
    expect(error.messages).toEqual([]);
    expect(error.outcomeUnknown).toBe(false);
  });

  it('a 500 HTML page is permanent', () => {
    const error = answer(500, '<html><title>Internal Server Error</title></html>');
    expect([error.kind, error.reason, error.detail]).toEqual([
      'permanent',
      'server_error',
      'Internal Server Error',
    ]);
  });

  it("413 (werkzeug's page) is permanent: too large", () => {
    const error = answer(413, WERKZEUG_413_PAGE, write);
    expect([error.kind, error.reason, error.status]).toEqual(['permanent', 'too_large', 413]);
    expect(error.detail).toBe('413 Request Entity Too Large');
  });

  it("gunicorn's 400 Request Line is too large is permanent", () => {
    const error = answer(400, gunicornRequestLinePage(5000));
    expect([error.kind, error.reason, error.status]).toEqual(['permanent', 'request_line_too_long', 400]);
    expect(error.detail).toBe('Request Line is too large (5000 > 4094)');
  });

  it("nginx's 414 is permanent", () => {
    expect(answer(414, '<html><title>414 Request-URI Too Large</title></html>').reason).toBe(
      'request_line_too_long',
    );
  });

  it('another 4xx (405 HTML page) is permanent', () => {
    expect([answer(405, '<title>405 Method Not Allowed</title>').kind]).toEqual(['permanent']);
  });

  it('a success whose body is not JSON is permanent (bad_response); on a write its outcome is unknown', () => {
    const error = answer(200, '<html>login</html>', write);
    expect([error.kind, error.reason, error.outcomeUnknown]).toEqual(['permanent', 'bad_response', true]);
  });

  it('a redirect is permanent', () => {
    expect([answer(301, '').kind, answer(301, '').reason]).toEqual(['permanent', 'unexpected_status']);
  });

  it('anything else thrown (a bug on our side) is permanent', () => {
    const error = failure(new TypeError('Converting circular structure to JSON'));
    expect([error.kind, error.reason]).toEqual(['permanent', 'client_error']);
    expect(failure(systemError('UND_ERR_INVALID_ARG')).kind).toBe('permanent');
  });

  it('an ErpnextError passes through unchanged', () => {
    const original = answer(404, '{}');
    expect(failure(original)).toBe(original);
  });
});

describe('classify: auth', () => {
  it('401 AuthenticationError (body is just exc_type)', () => {
    const error = answer(401, '{"exc_type":"AuthenticationError"}');
    expect([error.kind, error.reason, error.status, error.excType]).toEqual([
      'auth',
      'unauthenticated',
      401,
      'AuthenticationError',
    ]);
  });

  it('403 PermissionError (method not whitelisted), message kept with its HTML', () => {
    const message =
      '<details><summary>You are not permitted to access this resource.</summary>Function <strong>frappe.x.y</strong> is not whitelisted.</details>';
    const body = frappeErrorBody('PermissionError', {
      traceback: false,
      messages: [thrown(message, 'Method Not Allowed')],
    });
    const error = answer(403, body);
    expect([error.kind, error.reason]).toEqual(['auth', 'forbidden']);
    expect(error.messages).toEqual([message]);
  });

  it('403 with _error_message (insufficient permission) puts it in messages', () => {
    const body = frappeErrorBody('PermissionError', {
      errorMessage: 'Insufficient Permission for Purchase Order',
    });
    const error = answer(403, body, write);
    expect(error.kind).toBe('auth');
    expect(error.messages).toEqual(['Insufficient Permission for Purchase Order']);
  });

  it('400 InvalidAuthorizationToken is auth', () => {
    const text = 'Failed to decode token, please provide a valid base64-encoded token.';
    const body = frappeErrorBody('InvalidAuthorizationToken', { traceback: false, messages: [thrown(text)] });
    expect([answer(400, body).kind, answer(400, body).reason]).toEqual(['auth', 'unauthenticated']);
  });
});

describe('ErpnextError.describe', () => {
  it("is one line: instance, operation, kind, reason, status and exc_type, without ERPNext's messages", () => {
    const body = frappeErrorBody('MandatoryError', {
      messages: [
        plain('Error: Value missing for Purchase Order: Supplier'),
        plain('Error: <strong>Purchase Order Item</strong> Row #1: Value missing for: Required By'),
      ],
    });
    const error = answer(417, body, write);
    expect(error.describe()).toBe(
      'company-a: insert Purchase Order failed (permanent, validation, 417 MandatoryError)',
    );
    expect(error.message).toBe(error.describe());
    expect(error.messages).toHaveLength(2);
  });

  it('a serial quoted by ERPNext stays in messages only: not in message, describe(), toJSON() or the stack', () => {
    const text =
      'Serial No <strong>PIN-1234-5678</strong> is already present in the warehouse <strong>Stores - CA</strong>.';
    const body = frappeErrorBody('SerialNoDuplicateError', {
      module: 'erpnext.stock.doctype.serial_no.serial_no',
      text,
      messages: [thrown(text, 'Error')],
    });
    const error = answer(417, body, { ...write, operation: 'insert Purchase Receipt' });
    expect(error.messages).toEqual([text]);
    expect(error.exception).toContain('PIN-1234-5678');
    for (const view of [
      error.message,
      error.describe(),
      JSON.stringify(error.toJSON()),
      String(error.stack),
    ]) {
      expect(view).not.toContain('PIN-1234');
    }
    expect(error.toJSON()).toMatchObject({ excType: 'SerialNoDuplicateError', status: 417, messageCount: 1 });
    expect(error.toJSON()).not.toHaveProperty('messages');
    expect(error.toJSON()).not.toHaveProperty('exception');
  });

  it('says when to retry', () => {
    const error = answer(429, frappeErrorBody('TooManyRequestsError'), read, { 'retry-after': '2' });
    expect(error.describe()).toBe(
      'company-a: get Purchase Order failed (transient, rate_limited, 429 TooManyRequestsError) [retry after 2000 ms]',
    );
    expect(error.message).toBe(error.describe());
  });

  it('is bounded in length and has no line breaks', () => {
    const long = classify(
      { type: 'response', status: 417, body: frappeErrorBody('ValidationError') },
      { ...read, operation: `call x\n${'y'.repeat(2000)}` },
    );
    const line = long.describe();
    expect(line.length).toBeLessThanOrEqual(500);
    expect(line).not.toContain('\n');
  });

  it('toJSON has no cause or stack', () => {
    const json = failure(systemError('ECONNREFUSED')).toJSON();
    expect(json).not.toHaveProperty('cause');
    expect(json).not.toHaveProperty('stack');
    expect(json).toMatchObject({ kind: 'transient', reason: 'network', instanceId: 'company-a' });
  });
});
