import { STEPS, type Step, TRANSFER_STATUSES, type TransferStatus } from '../api/types.js';

/**
 * The transfers list's filters, as they live in the URL hash (`#/transfers?status=failed&...`,
 * so a view can be shared) and as the tracker's `GET /v1/transfers` query string. Pure.
 * The serial filter is never in the hash (a serial may be a PIN: the hash goes to the browser's
 * history): the page keeps it in memory and only the query carries it.
 * Dates are days (`YYYY-MM-DD`, what `<input type="date">` gives) in the hash and RFC 3339
 * instants (the browser's local midnight) in the query.
 */
export interface TransferFilters {
  readonly status?: TransferStatus;
  readonly step?: Step;
  readonly instance?: string;
  readonly company?: string;
  /** Created on or after this day (local time). */
  readonly created_from?: string;
  /** Created on or before this day (local time): the query asks for before the next day. */
  readonly created_to?: string;
  readonly reference?: string;
  readonly serial?: string;
  readonly stuck?: boolean;
  /** The page: the tracker's opaque cursor (absent: the first page). */
  readonly cursor?: string;
}

/** The text filters the hash carries (not `serial`: see above). */
const TEXT_KEYS = ['instance', 'company', 'reference'] as const;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const CURSOR = /^[A-Za-z0-9_-]{1,512}$/;
const INSTANCE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The filters a query string names; unknown or malformed values are dropped. */
export function filtersFromParams(params: URLSearchParams): TransferFilters {
  const filters: { -readonly [K in keyof TransferFilters]: TransferFilters[K] } = {};
  const status = params.get('status');
  if (status !== null && (TRANSFER_STATUSES as readonly string[]).includes(status)) {
    filters.status = status as TransferStatus;
  }
  const step = params.get('step');
  if (step !== null && (STEPS as readonly string[]).includes(step)) filters.step = step as Step;
  for (const key of TEXT_KEYS) {
    const value = params.get(key)?.trim();
    if (value !== undefined && value !== '' && value.length <= 140) filters[key] = value;
  }
  if (filters.instance !== undefined && !INSTANCE.test(filters.instance)) delete filters.instance;
  for (const key of ['created_from', 'created_to'] as const) {
    const value = params.get(key);
    if (value !== null && parseDay(value) !== undefined) filters[key] = value;
  }
  if (params.get('stuck') === 'true') filters.stuck = true;
  const cursor = params.get('cursor');
  if (cursor !== null && CURSOR.test(cursor)) filters.cursor = cursor;
  return filters;
}

/** The filters as query-string parameters, in a fixed order (the hash's form). */
export function filtersToParams(filters: TransferFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status !== undefined) params.set('status', filters.status);
  if (filters.step !== undefined) params.set('step', filters.step);
  for (const key of TEXT_KEYS) {
    const value = filters[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  if (filters.created_from !== undefined) params.set('created_from', filters.created_from);
  if (filters.created_to !== undefined) params.set('created_to', filters.created_to);
  if (filters.stuck === true) params.set('stuck', 'true');
  if (filters.cursor !== undefined) params.set('cursor', filters.cursor);
  return params;
}

/** The hash of the transfers list showing these filters. */
export function transfersHash(filters: TransferFilters): string {
  const query = filtersToParams(filters).toString();
  return query === '' ? '#/transfers' : `#/transfers?${query}`;
}

/** The query string of `GET /v1/transfers` for these filters (dates as RFC 3339 instants). */
export function transfersQuery(filters: TransferFilters, limit: number): string {
  const params = filtersToParams(filters);
  if (filters.serial !== undefined && filters.serial !== '') params.set('serial', filters.serial);
  const from = filters.created_from === undefined ? undefined : parseDay(filters.created_from);
  const to = filters.created_to === undefined ? undefined : parseDay(filters.created_to);
  if (from !== undefined) params.set('created_from', from.toISOString());
  if (to !== undefined) {
    // "Created before" the start of the next day: the whole last day is included.
    params.set('created_to', new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1).toISOString());
  }
  params.set('limit', String(limit));
  return params.toString();
}

/** The serial a filter form names (trimmed; undefined when empty or too long). */
export function serialFromParams(params: URLSearchParams): string | undefined {
  const value = params.get('serial')?.trim();
  return value === undefined || value === '' || value.length > 140 ? undefined : value;
}

/** Whether any filter (other than the page) is set. */
export function isFiltered(filters: TransferFilters): boolean {
  const { cursor: _cursor, ...rest } = filters;
  return Object.keys(rest).length > 0;
}

/** Local midnight of a `YYYY-MM-DD` day; undefined when it is not a real day. */
export function parseDay(text: string): Date | undefined {
  const match = DAY.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day)
    return undefined;
  return date;
}

/**
 * The query string of `GET /v1/transfers/counts` for the list's filters: the same as the list's
 * but without `status` and `stuck` (the counts are by status, and count the stuck ones), the page
 * and the limit.
 */
export function countsQuery(filters: TransferFilters): string {
  const { status: _status, stuck: _stuck, cursor: _cursor, ...counted } = filters;
  const params = new URLSearchParams(transfersQuery(counted, 1));
  params.delete('limit');
  return params.toString();
}
