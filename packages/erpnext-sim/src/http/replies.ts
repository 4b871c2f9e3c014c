import type { FastifyReply } from 'fastify';
import type { Doc } from '../frappe/database.js';
import { errorBody, FrappeError } from '../frappe/errors.js';
import { type Meta, STANDARD_FIELDS } from '../frappe/meta.js';

/**
 * A document as Frappe answers it: frappe.utils.response.json_handler writes Documents with
 * `as_dict(no_nulls=True)`, so null fields are left out (child rows too).
 */
export function docForResponse(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (value === null || value === undefined) continue;
    out[key] = Array.isArray(value) ? value.map((row) => (isRecord(row) ? docForResponse(row) : row)) : value;
  }
  return out;
}

/** A document as `Document.as_dict()` gives it (frappe.client.*): every field, unset ones as null. */
export function docAsDict(meta: Meta, doc: Doc): Record<string, unknown> {
  const def = meta.get(doc.doctype);
  const out: Record<string, unknown> = {};
  for (const key of STANDARD_FIELDS) out[key] = doc[key] ?? null;
  for (const field of def?.fields ?? []) {
    const value = doc[field.fieldname];
    out[field.fieldname] =
      field.fieldtype === 'Table'
        ? (Array.isArray(value) ? value : []).map((row) => docAsDict(meta, row as Doc))
        : (value ?? null);
  }
  for (const [key, value] of Object.entries(doc)) if (!(key in out)) out[key] = value ?? null;
  return out;
}

export function sendFrappeError(reply: FastifyReply, error: FrappeError, loggedIn: boolean): FastifyReply {
  const body = errorBody(error, { traceback: loggedIn });
  if (error.errorMessage !== undefined) body._error_message = error.errorMessage;
  return reply.code(error.httpStatus).type('application/json').send(body);
}

/** What nginx answers in front of a site whose workers are gone or too slow. */
export function sendGatewayError(reply: FastifyReply, status: 502 | 503 | 504): FastifyReply {
  const title = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' }[
    status
  ];
  const html = `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return reply.code(status).type('text/html').send(html);
}

/** An unexpected failure inside the simulator: a 500 like Frappe's for a Python exception. */
export function toFrappeError(error: unknown): FrappeError {
  if (error instanceof FrappeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FrappeError('TypeError', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
