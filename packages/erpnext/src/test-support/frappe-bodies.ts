/**
 * Error answers shaped exactly as Frappe v15 writes them (erpnext-sim docs/frappe-facts.md §3):
 * `exc_type` always; `exception` and `exc` for a System User; `_server_messages` a JSON string of a
 * list of JSON strings (Python's json.dumps separators, non-ASCII escaped); nginx and gunicorn
 * pages as HTML. For the unit tests of classify(). The JSON is written by the simulator's own
 * Python-style writer.
 */

import { pythonJsonDumps } from '@interco/erpnext-sim';

export { pythonJsonDumps };

export interface MsgprintDict {
  message: string | unknown[];
  title?: string;
  indicator?: string;
  raise_exception?: 1;
  __frappe_exc_id?: string;
  as_list?: 1;
}

/** `frappe.throw(msg)`'s dict: red, raising, with an exception id. */
export function thrown(message: string | unknown[], title = 'Message'): MsgprintDict {
  return {
    message,
    title,
    indicator: 'red',
    raise_exception: 1,
    __frappe_exc_id: 'a3f1c9'.repeat(9).slice(0, 56),
  };
}

/** A plain msgprint (no indicator, no raise), e.g. "Interco Marker must be unique". */
export function plain(message: string): MsgprintDict {
  return { message, title: 'Message' };
}

export interface FrappeErrorOptions {
  /** The Python module, for the `exception` line. Default frappe.exceptions. */
  module?: string;
  /** The exception's text (the `exception` line's tail). */
  text?: string;
  messages?: MsgprintDict[];
  /** A logged-in System User gets `exception` and `exc`. Default true. */
  traceback?: boolean;
  errorMessage?: string;
}

/** The JSON text of a Frappe v1 error body. */
export function frappeErrorBody(excType: string, options: FrappeErrorOptions = {}): string {
  const body: Record<string, unknown> = { exc_type: excType };
  if (options.traceback ?? true) {
    const module = options.module ?? 'frappe.exceptions';
    const qualified = module === 'builtins' ? excType : `${module}.${excType}`;
    const line =
      options.text === undefined || options.text === '' ? qualified : `${qualified}: ${options.text}`;
    body.exception = line;
    body.exc = pythonJsonDumps([
      `Traceback (most recent call last):\n  File "apps/frappe/frappe/app.py", line 114, in application\n    response = frappe.api.handle(request)\n${line}\n`,
    ]);
  }
  if (options.messages !== undefined && options.messages.length > 0) {
    body._server_messages = pythonJsonDumps(options.messages.map((m) => pythonJsonDumps(m)));
  }
  if (options.errorMessage !== undefined) body._error_message = options.errorMessage;
  return JSON.stringify(body);
}

/** nginx's page for 502/503/504. */
export function nginxPage(status: 502 | 503 | 504): string {
  const title = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' }[
    status
  ];
  return `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** gunicorn's raw 400 for a request line over limit_request_line. */
export function gunicornRequestLinePage(length: number): string {
  return `<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n    <h1><p>Bad Request</p></h1>\n    Request Line is too large (${length} &gt; 4094)\n  </body>\n</html>\n`;
}

/** werkzeug's 413 page. */
export const WERKZEUG_413_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>413 Request Entity Too Large</title>\n<h1>Request Entity Too Large</h1>\n<p>The data value transmitted exceeds the capacity limit.</p>\n';
