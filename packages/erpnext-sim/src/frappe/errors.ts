import { randomBytes } from 'node:crypto';
import { pythonJsonDumps } from './python-json.js';

/**
 * Frappe's exceptions as the simulator raises them: the class name (`exc_type`), the Python module
 * it lives in (for the `exception` line), and the HTTP status Frappe answers with
 * (`http_status_code` on the class; frappe/exceptions.py, erpnext/exceptions.py and the
 * doctype modules for ERPNext's own).
 */
export const EXCEPTIONS = {
  // frappe/exceptions.py
  ValidationError: { status: 417, module: 'frappe.exceptions' },
  MandatoryError: { status: 417, module: 'frappe.exceptions' },
  LinkValidationError: { status: 417, module: 'frappe.exceptions' },
  CancelledLinkError: { status: 417, module: 'frappe.exceptions' },
  AppNotInstalledError: { status: 417, module: 'frappe.exceptions' },
  TimestampMismatchError: { status: 417, module: 'frappe.exceptions' },
  CharacterLengthExceededError: { status: 417, module: 'frappe.exceptions' },
  LinkExistsError: { status: 417, module: 'frappe.exceptions' },
  DocstatusTransitionError: { status: 417, module: 'frappe.exceptions' },
  UpdateAfterSubmitError: { status: 417, module: 'frappe.exceptions' },
  UniqueValidationError: { status: 417, module: 'frappe.exceptions' },
  CannotChangeConstantError: { status: 417, module: 'frappe.exceptions' },
  // frappe.DataError (a ValidationError), e.g. "Field not permitted in query"
  DataError: { status: 417, module: 'frappe.exceptions' },
  DuplicateEntryError: { status: 409, module: 'frappe.exceptions' },
  DoesNotExistError: { status: 404, module: 'frappe.exceptions' },
  PermissionError: { status: 403, module: 'frappe.exceptions' },
  AuthenticationError: { status: 401, module: 'frappe.exceptions' },
  InvalidAuthorizationToken: { status: 400, module: 'frappe.exceptions' },
  CSRFTokenError: { status: 400, module: 'frappe.exceptions' },
  TooManyRequestsError: { status: 429, module: 'frappe.exceptions' },
  QueryDeadlockError: { status: 500, module: 'frappe.exceptions' },
  QueryTimeoutError: { status: 500, module: 'frappe.exceptions' },
  // ERPNext
  InvalidWarehouseCompany: { status: 417, module: 'erpnext.stock.utils' },
  NegativeStockError: { status: 417, module: 'erpnext.stock.stock_ledger' },
  SerialNoDuplicateError: { status: 417, module: 'erpnext.stock.doctype.serial_no.serial_no' },
  SerialNoWarehouseError: { status: 417, module: 'erpnext.stock.doctype.serial_no.serial_no' },
  SerialNoQtyError: { status: 417, module: 'erpnext.stock.doctype.serial_no.serial_no' },
  SerialNoNotRequiredError: { status: 417, module: 'erpnext.stock.doctype.serial_no.serial_no' },
  SerialNoCannotCreateDirectError: { status: 417, module: 'erpnext.stock.doctype.serial_no.serial_no' },
  OverAllowanceError: { status: 417, module: 'erpnext.controllers.status_updater' },
  StockFreezeError: { status: 417, module: 'erpnext.stock.stock_ledger' },
  FiscalYearError: { status: 417, module: 'erpnext.accounts.utils' },
  // Python built-ins and database errors Frappe does not catch: 500
  TypeError: { status: 500, module: 'builtins' },
  Exception: { status: 500, module: 'builtins' },
  KeyError: { status: 500, module: 'builtins' },
  IndexError: { status: 500, module: 'builtins' },
  AttributeError: { status: 500, module: 'builtins' },
  JSONDecodeError: { status: 500, module: 'json.decoder' },
  OperationalError: { status: 500, module: 'pymysql.err' },
  ProgrammingError: { status: 500, module: 'pymysql.err' },
  /** MariaDB refusing a value (e.g. 1406 "Data too long"): pymysql's DataError, not frappe's. */
  MySQLDataError: { status: 500, module: 'pymysql.err', name: 'DataError' },
} as const satisfies Record<string, { status: number; module: string; name?: string }>;

export type ExcType = keyof typeof EXCEPTIONS;

/** The Python class name (`exc_type`): the key, unless two modules share a class name. */
export function excName(excType: ExcType): string {
  const entry = EXCEPTIONS[excType];
  return 'name' in entry ? entry.name : excType;
}

/** One entry of `_server_messages` (frappe.msgprint's dict). */
export interface ServerMessage {
  message: string;
  title?: string;
  indicator?: string;
  raise_exception?: 1;
  __frappe_exc_id?: string;
}

/** An exception raised while serving a request: rolled back and answered as Frappe does. */
export class FrappeError extends Error {
  readonly excType: ExcType;
  readonly httpStatus: number;
  /** What frappe.msgprint/frappe.throw logged for the user (`_server_messages`). */
  readonly messages: ServerMessage[];
  /** frappe.flags.error_message, answered as `_error_message` (permission failures). */
  readonly errorMessage: string | undefined;

  constructor(excType: ExcType, message: string, messages: ServerMessage[] = [], errorMessage?: string) {
    super(message);
    this.name = excType;
    this.excType = excType;
    this.httpStatus = EXCEPTIONS[excType].status;
    this.messages = messages;
    this.errorMessage = errorMessage;
  }

  /** The last traceback line, as Frappe puts in `exception`. */
  get exceptionLine(): string {
    const { module } = EXCEPTIONS[this.excType];
    const name = excName(this.excType);
    const qualified = module === 'builtins' ? name : `${module}.${name}`;
    return this.message === '' ? qualified : `${qualified}: ${this.message}`;
  }
}

/**
 * `frappe.throw(msg, exc, title)`: shows `msg` to the user (a red message in `_server_messages`)
 * and raises `exc` with the same text.
 */
export function frappeThrow(message: string, excType: ExcType = 'ValidationError', title?: string): never {
  throw new FrappeError(excType, message, [raisedMessage(message, title)]);
}

/** The message frappe.msgprint logs when it raises (frappe/utils/messages.py): red, with an id. */
export function raisedMessage(message: string, title?: string): ServerMessage {
  return {
    message,
    title: title ?? 'Message',
    indicator: 'red',
    raise_exception: 1,
    __frappe_exc_id: randomBytes(28).toString('hex'),
  };
}

/** A plain frappe.msgprint line (no indicator, no raise), e.g. each missing mandatory field. */
export function plainMessage(message: string): ServerMessage {
  return { message, title: 'Message' };
}

/** An exception raised without a user message (e.g. frappe.DoesNotExistError from get_doc). */
export function frappeRaise(excType: ExcType, message: string): never {
  throw new FrappeError(excType, message);
}

/**
 * The JSON body of a failed request, as frappe.utils.response.report_error builds it for API v1:
 * `exc_type` always; `exception` and `exc` (the traceback) only for a logged-in System User and
 * never on a 404; `_server_messages` when something was shown to the user.
 */
export function errorBody(error: FrappeError, options: { traceback: boolean }): Record<string, unknown> {
  const body: Record<string, unknown> = { exc_type: excName(error.excType) };
  if (options.traceback && error.httpStatus !== 404) {
    const traceback = `Traceback (most recent call last):\n  File "apps/frappe/frappe/app.py", line 114, in application\n    response = frappe.api.handle(request)\n${error.exceptionLine}\n`;
    body.exception = error.exceptionLine;
    body.exc = pythonJsonDumps([traceback]);
  }
  if (error.messages.length > 0) {
    body._server_messages = pythonJsonDumps(error.messages.map((m) => pythonJsonDumps(m)));
  }
  return body;
}
