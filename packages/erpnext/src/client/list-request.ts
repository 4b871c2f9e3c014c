/**
 * A list query (`frappe.client.get_list`'s arguments) in the two shapes Frappe takes: the query
 * string of `GET /api/resource/{doctype}`, and the JSON body of
 * `POST /api/method/frappe.client.get_list`. The client sends the GET while its request line stays
 * well under gunicorn's 4,094-byte limit, and the POST otherwise (long `in` filters).
 */

/**
 * Frappe filters: `{"field": value}`, `{"field": [op, value]}`, `[["field", op, value]]` or
 * `[["Child Doctype", "field", op, value]]`. Operators: `= != > < >= <= like, not like, in,
 * not in, is, between`.
 */
export type ListFilters = Readonly<Record<string, unknown>> | ReadonlyArray<ReadonlyArray<unknown>>;

export interface ListOptions {
  /** Default (Frappe's): `["name"]`. */
  fields?: readonly string[];
  filters?: ListFilters;
  orFilters?: ListFilters;
  /** e.g. `"creation asc"`; Frappe's default is the doctype's sort order (`modified desc`). */
  orderBy?: string;
  /** Offset. */
  limitStart?: number;
  /** Page size. Frappe's default is 20; 0 = no limit. */
  limitPageLength?: number;
}

/** Under this many bytes of request target the client uses GET (gunicorn refuses over 4,094). */
export const DEFAULT_MAX_GET_TARGET_BYTES = 3_500;

/** The arguments as Frappe names them, JSON values where Frappe expects JSON. */
function listArgs(options: ListOptions): Array<[string, unknown]> {
  const args: Array<[string, unknown]> = [];
  if (options.fields !== undefined) args.push(['fields', options.fields]);
  if (options.filters !== undefined) args.push(['filters', options.filters]);
  if (options.orFilters !== undefined) args.push(['or_filters', options.orFilters]);
  if (options.orderBy !== undefined) args.push(['order_by', options.orderBy]);
  if (options.limitStart !== undefined) args.push(['limit_start', options.limitStart]);
  if (options.limitPageLength !== undefined) args.push(['limit_page_length', options.limitPageLength]);
  return args;
}

/** `/api/resource/{doctype}?fields=...`: JSON-encoded lists and filters, percent-encoded. */
export function listResourcePath(doctype: string, options: ListOptions): string {
  const query = listArgs(options)
    .map(
      ([key, value]) =>
        `${key}=${encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value))}`,
    )
    .join('&');
  return `/api/resource/${encodeURIComponent(doctype)}${query === '' ? '' : `?${query}`}`;
}

/** The JSON body of `frappe.client.get_list`. */
export function listMethodBody(doctype: string, options: ListOptions): Record<string, unknown> {
  return { doctype, ...Object.fromEntries(listArgs(options)) };
}
