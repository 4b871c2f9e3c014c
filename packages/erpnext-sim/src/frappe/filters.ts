import { nameKey } from '@interco/contracts';
import { frappeRaise, frappeThrow } from './errors.js';
import type { FieldType } from './meta.js';

/**
 * List filters as Frappe v15 reads and applies them: the shapes `frappe.get_list` accepts
 * (frappe/utils/data.py get_filter, make_filter_tuple; frappe/desk/reportview.py validate_filters)
 * and what each condition means once frappe/model/db_query.py prepare_filter_condition has turned
 * it into SQL and MariaDB (utf8mb4_unicode_ci) has evaluated it: `ifnull(column, fallback)` where
 * Frappe adds it, strings compared by the collation, numbers numerically, dates as dates.
 */

/** The operators the simulator evaluates, lower-cased (Frappe accepts any case). */
export type Operator =
  | '='
  | '!='
  | '>'
  | '<'
  | '>='
  | '<='
  | 'like'
  | 'not like'
  | 'in'
  | 'not in'
  | 'is'
  | 'between';

export interface Filter {
  /**
   * The doctype whose column is tested: the queried doctype or one of its child doctypes.
   * '' stands for the queried doctype (the `{"field": v}` and `[field, op, v]` forms).
   */
  doctype: string;
  field: string;
  operator: Operator;
  value: unknown;
}

const SUPPORTED: readonly Operator[] = [
  '=',
  '!=',
  '>',
  '<',
  '>=',
  '<=',
  'like',
  'not like',
  'in',
  'not in',
  'is',
  'between',
];

/** frappe/utils/data.py get_filter valid_operators, in its order (with NestedSetHierarchy last). */
const FRAPPE_OPERATORS = [
  ...SUPPORTED,
  'timespan',
  'previous',
  'next',
  // frappe/database/utils.py NestedSetHierarchy
  'ancestors of',
  'descendants of',
  'not ancestors of',
  'not descendants of',
  'descendants of (inclusive)',
];

// ---------------------------------------------------------------------------------------------
// Python semantics the Frappe code relies on
// ---------------------------------------------------------------------------------------------

/** Python truthiness of a JSON value. */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Python's type name of a JSON value, for TypeError messages. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  return Array.isArray(value) ? 'list' : 'dict';
}

/** Python's repr() of a JSON value (`str(f)` in Frappe's messages). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value
      .replace(/\\/g, '\\\\')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
}

const PY_FLOAT = /^[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?$/;

/** Python `float(s)`, or undefined where it raises (or gives inf/nan, which cint/flt reject too). */
function pyFloat(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!PY_FLOAT.test(text)) return undefined;
  const n = Number(text.replace(/_/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/** frappe.utils.cint: int(float(s)), 0 when that fails. */
export function cint(value: unknown): number {
  const n = pyFloat(value);
  return n === undefined ? 0 : Math.trunc(n);
}

/** frappe.utils.flt: float(s) with thousands commas removed, 0.0 when that fails. */
export function flt(value: unknown): number {
  const n = pyFloat(typeof value === 'string' ? value.replace(/,/g, '') : value);
  return n ?? 0;
}

/** frappe.utils.cstr: '' for None, Python's str() otherwise. */
export function cstr(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

/**
 * A Python exception Frappe does not catch (an IndexError, a TypeError...): a 500. Classes the
 * simulator's exception table lacks (IndexError, AttributeError, ParserError) are raised as
 * TypeError with the real class kept in the message.
 */
export function pythonError(pyClass: string, message: string): never {
  if (pyClass === 'TypeError' || pyClass === 'KeyError') frappeRaise(pyClass, message);
  frappeRaise('TypeError', `${pyClass}: ${message}`);
}

/**
 * A statement MariaDB refuses (unknown column, syntax): pymysql raises OperationalError or
 * ProgrammingError, a 500. The simulator's table has pymysql's DataError (500) for these.
 */
export function sqlError(code: number, message: string): never {
  frappeRaise(
    code === 1064 ? 'ProgrammingError' : 'OperationalError',
    `(${String(code)}, ${JSON.stringify(message)})`,
  );
}

// ---------------------------------------------------------------------------------------------
// Filter shapes
// ---------------------------------------------------------------------------------------------

/** frappe/desk/reportview.py raise_invalid_field (frappe.DataError). */
export function invalidField(fieldname: string): never {
  frappeThrow(`Field not permitted in query: ${fieldname}`, 'DataError');
}

/**
 * Decoded `filters` / `or_filters` into Filters: `{"f": v}`, `{"f": [op, v]}`, `[[f, op, v]]`,
 * `[[doctype, f, op, v]]`. Operators are checked here (get_filter); whether fields exist is
 * checked against the metadata by the query.
 */
export function normalizeFilters(decoded: unknown): Filter[] {
  if (!pyTruthy(decoded)) return [];
  if (Array.isArray(decoded)) return decoded.map((condition) => fromCondition(condition));
  if (typeof decoded === 'object' && decoded !== null) {
    return Object.entries(decoded as Record<string, unknown>).map(([key, value]) =>
      fromDictEntry(key, value),
    );
  }
  if (typeof decoded === 'string') {
    // reportview.validate_filters iterates a string's characters as fieldnames.
    invalidField(Array.from(decoded)[0] ?? '');
  }
  pythonError('TypeError', `'${pyTypeName(decoded)}' object is not iterable`);
}

/** frappe/utils/data.py make_filter_tuple. */
function fromDictEntry(key: string, value: unknown): Filter {
  if (Array.isArray(value)) {
    if (value.length < 2) pythonError('IndexError', 'list index out of range');
    return makeFilter('', key, value[0], value[1]);
  }
  return makeFilter('', key, '=', value);
}

/** One element of a list of filters: reportview.validate_filters' indexing, then get_filter. */
function fromCondition(condition: unknown): Filter {
  if (typeof condition === 'string') {
    // A flat list (["name", "=", "x"]) reaches validate_filters as strings: "name"[0] is taken
    // for a doctype ("DocType n not found"), a 3-letter string's first letter for a field.
    const chars = Array.from(condition);
    if (chars.length === 3) invalidField(chars[0] ?? '');
    if (chars.length < 2) pythonError('IndexError', 'string index out of range');
    frappeThrow(`DocType ${chars[0] ?? ''} not found`, 'DoesNotExistError');
  }
  if (!Array.isArray(condition)) {
    if (typeof condition === 'object' && condition !== null) {
      pythonError('KeyError', Object.keys(condition).length === 3 ? '0' : '1');
    }
    pythonError('TypeError', `object of type '${pyTypeName(condition)}' has no len()`);
  }
  if (condition.length === 3) return makeFilter('', condition[0], condition[1], condition[2]);
  if (condition.length < 2) pythonError('IndexError', 'list index out of range');
  if (condition.length < 4) {
    // get_filter; Frappe's validate_filters may first answer "DocType {condition[0]} not found".
    frappeThrow(`Filter must have 4 values (doctype, fieldname, operator, value): ${pyRepr(condition)}`);
  }
  const doctype = condition[0];
  if (typeof doctype !== 'string') pythonError('TypeError', 'expected string or bytes-like object');
  return makeFilter(doctype, condition[1], condition[2], condition[3]);
}

function makeFilter(doctype: string, field: unknown, operator: unknown, value: unknown): Filter {
  if (typeof field !== 'string') pythonError('TypeError', 'expected string or bytes-like object');
  return { doctype, field, operator: parseOperator(operator), value };
}

/** get_filter: a missing operator is `=`; any case is accepted; others raise. */
export function parseOperator(operator: unknown): Operator {
  if (!pyTruthy(operator)) return '=';
  if (typeof operator !== 'string') {
    pythonError('AttributeError', `'${pyTypeName(operator)}' object has no attribute 'lower'`);
  }
  const lower = operator.toLowerCase();
  const supported = SUPPORTED.find((op) => op === lower);
  if (supported !== undefined) return supported;
  if (FRAPPE_OPERATORS.includes(lower)) {
    // Valid in Frappe (date spans, tree queries), not implemented here.
    frappeThrow(`The ERPNext simulator does not support the filter operator '${operator}'`);
  }
  frappeThrow(`Operator must be one of ${FRAPPE_OPERATORS.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Values as MariaDB compares them
// ---------------------------------------------------------------------------------------------

/** How a column's values compare. */
export type ColumnKind = 'string' | 'int' | 'float' | 'date' | 'datetime' | 'time';

export interface Column {
  /** The column's name (the fieldname). */
  name: string;
  kind: ColumnKind;
  /** The DocField's type; undefined for standard columns (name, owner, modified...). */
  fieldtype: FieldType | undefined;
}

export function kindOf(fieldtype: FieldType): ColumnKind {
  switch (fieldtype) {
    case 'Int':
    case 'Check':
      return 'int';
    case 'Float':
    case 'Currency':
    case 'Percent':
      return 'float';
    case 'Date':
      return 'date';
    case 'Datetime':
      return 'datetime';
    case 'Time':
      return 'time';
    default:
      return 'string';
  }
}

export function isNumeric(kind: ColumnKind): boolean {
  return kind === 'int' || kind === 'float';
}

/** A string's identity under utf8mb4_unicode_ci: case- and accent-blind, trailing spaces ignored (PAD SPACE). */
export function collationKey(text: string): string {
  return nameKey(text.replace(/ +$/u, ''));
}

/** MariaDB's string-to-number conversion: the longest numeric prefix, 0 when there is none. */
export function sqlNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const match = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(String(value ?? ''));
  return match === null ? 0 : Number(match[0]);
}

/** A number as MariaDB renders the column as text: int(11), or decimal(21,9) for Float/Currency/Percent. */
export function sqlText(value: unknown, kind: ColumnKind): string {
  if (typeof value !== 'number') return String(value);
  if (kind === 'int') return String(Math.trunc(value));
  if (kind === 'float') return value.toFixed(9);
  return String(value);
}

const DATETIME =
  /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6})\d*)?)?)?\s*$/;
const TIME = /^\s*(?:\d{4}-\d{1,2}-\d{1,2}[ T])?(\d{1,3}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6})\d*)?)?\s*$/;

const pad = (n: string | undefined, width: number): string => (n ?? '').padStart(width, '0');

/** 'YYYY-MM-DD HH:MM:SS.ffffff' for a date or datetime string, as MariaDB reads it; undefined if it is neither. */
export function canonicalDatetime(text: string): string | undefined {
  const m = DATETIME.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, f] = m;
  return `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)} ${pad(h ?? '0', 2)}:${pad(mi ?? '0', 2)}:${pad(s ?? '0', 2)}.${(f ?? '').padEnd(6, '0')}`;
}

/** 'HH:MM:SS.ffffff' for a time string; undefined if it is not one. */
export function canonicalTime(text: string): string | undefined {
  const m = TIME.exec(text);
  if (m === null) return undefined;
  const [, h, mi, s, f] = m;
  return `${pad(h, 2)}:${pad(mi, 2)}:${pad(s ?? '0', 2)}.${(f ?? '').padEnd(6, '0')}`;
}

/** A calendar date 'YYYY-MM-DD' from the forms dateutil reads most often, or undefined. */
function parseDate(text: string): string | undefined {
  const m =
    /^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?\s*$/.exec(text) ??
    /^\s*(\d{4})(\d{2})(\d{2})\s*$/.exec(text);
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return `${pad(String(year), 4)}-${pad(String(month), 2)}-${pad(String(day), 2)}`;
}

/**
 * frappe.db.format_date(value) = getdate(value).strftime('%Y-%m-%d') (frappe/utils/data.py getdate):
 * an empty value is today; '0001-01-01...' gives None (and strftime fails); a string it cannot
 * parse is "{value} is not a valid date string.". The simulator reads ISO-like dates only.
 */
export function formatDate(value: unknown, today: string): string {
  if (!pyTruthy(value)) return today;
  if (typeof value !== 'string' || value.startsWith('0001-01-01') || value.startsWith('0000-00-00')) {
    pythonError('AttributeError', "'NoneType' object has no attribute 'strftime'");
  }
  const date = parseDate(value);
  if (date === undefined) {
    frappeThrow(`<strong>${value}</strong> is not a valid date string.`, 'ValidationError', 'Invalid Date');
  }
  return date;
}

const FALLBACK_DATETIME = '0001-01-01 00:00:00.000000';

/** frappe.db.format_datetime: empty -> the fallback; a string without ':' gets midnight. */
function formatDatetime(value: unknown): string {
  if (!pyTruthy(value)) return FALLBACK_DATETIME;
  if (typeof value !== 'string')
    pythonError('AttributeError', `'${pyTypeName(value)}' object has no attribute 'strftime'`);
  return value.includes(':') ? value : `${value} 00:00:00.000000`;
}

/** frappe.utils.get_time(value).strftime('%H:%M:%S.%f'). */
function formatTime(value: unknown): string {
  const time = typeof value === 'string' ? canonicalTime(value) : undefined;
  if (time === undefined) pythonError('ParserError', `String does not contain a date: ${cstr(value)}`);
  return time;
}

/**
 * db_query.py get_between_date_filter: [from, to] (a missing bound is today); for Datetime
 * columns (and creation/modified) a date-only bound spans the whole day.
 */
function betweenBounds(value: unknown, fieldtype: 'Date' | 'Datetime', today: string): [string, string] {
  let from: unknown = today;
  let to: unknown = today;
  if (pyTruthy(value) && Array.isArray(value)) {
    if (value.length >= 1) from = value[0];
    if (value.length >= 2) to = value[1];
  }
  if (fieldtype === 'Date') return [formatDate(from, today), formatDate(to, today)];
  return [datetimeBound(from, today, '00:00:00.000000'), datetimeBound(to, today, '23:59:59.999999')];
}

/** _convert_type_for_between_filters then format_datetime. */
function datetimeBound(value: unknown, today: string, time: string): string {
  if (typeof value !== 'string') return formatDatetime(value);
  if (value.trim().includes(' ')) {
    const parsed = canonicalDatetime(value);
    if (parsed === undefined) pythonError('ParserError', `Unknown string format: ${value}`);
    return parsed;
  }
  return `${formatDate(value, today)} ${time}`;
}

/** Compiles a LIKE pattern (% and _ wildcards, no escape: Frappe doubles backslashes) for folded text. */
function likePattern(pattern: string): RegExp {
  let source = '';
  for (const char of nameKey(pattern)) {
    if (char === '%') source += '.*';
    else if (char === '_') source += '.';
    else source += char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

type Domain = 'number' | 'string' | 'temporal';

function domainOf(kind: ColumnKind): Domain {
  if (isNumeric(kind)) return 'number';
  return kind === 'string' ? 'string' : 'temporal';
}

/** Orders two values as MariaDB would compare them in the column's domain; 0 when equal. */
function compareValues(left: unknown, domain: Domain, right: unknown, kind: ColumnKind): number {
  if (domain === 'number') return Math.sign(sqlNumber(left) - sqlNumber(right));
  if (typeof right === 'number') return Math.sign(sqlNumber(left) - right);
  const a = String(left);
  const b = String(right);
  if (domain === 'temporal') {
    const canon = kind === 'time' ? canonicalTime : canonicalDatetime;
    const ca = canon(a);
    const cb = canon(b);
    if (ca !== undefined && cb !== undefined) return ca < cb ? -1 : ca > cb ? 1 : 0;
  }
  const ka = collationKey(a);
  const kb = collationKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** A compiled condition: a test on the column's stored value, or the SQL error MariaDB would raise. */
export type Condition =
  | { test: (stored: unknown) => boolean }
  | { sqlError: { code: number; message: string } };

const NUMERIC_FIELDTYPES: ReadonlySet<string> = new Set(['Check', 'Float', 'Int', 'Currency', 'Percent']);

/**
 * One filter on one column, following frappe/model/db_query.py prepare_filter_condition (v15):
 * - `in` / `not in`: values are a list or a comma-separated string, each `cstr(v).strip()`;
 *   the column is wrapped in `ifnull(col, '')` unless it is name/creation/modified or (for `in`)
 *   the list has no empty value. So NULL matches `not in` and `in ('')`.
 * - numeric DocFields (Int, Float, Check, Currency, Percent) are never wrapped: NULL matches nothing;
 * - `=` and `like` with a non-empty value are not wrapped; every other operator is, so NULL acts
 *   as '' (`!= 'x'`, `not like`, `= ''`, `< 'b'` all match NULL);
 * - `is set` is `col != ''`, `is not set` is `ifnull(col, '') = ''`;
 * - Date columns compare `format_date(value)` (an empty value means today) with fallback
 *   '0001-01-01'; `between` works on Date, Datetime, creation and modified only (elsewhere the
 *   statement is malformed SQL);
 * - a string value on a non-numeric column compares as a string (collation), anything else
 *   through `flt()`, and a number against a text column compares numerically (MariaDB casts).
 */
export function compileCondition(
  column: Column,
  operator: Operator,
  value: unknown,
  today: string,
): Condition {
  const { name, kind, fieldtype } = column;
  // "primary key is never nullable, modified is usually indexed by default and always present"
  let canBeNull = name !== 'name' && name !== 'modified' && name !== 'creation';

  if (operator === 'in' || operator === 'not in') {
    if (operator === 'in') canBeNull &&= !pyTruthy(value) || anyEmpty(value);
    return { test: membership(column, operator === 'in', inList(value), canBeNull) };
  }

  const numericField = fieldtype !== undefined && NUMERIC_FIELDTYPES.has(fieldtype);
  if (numericField) canBeNull = false;
  const dateLike =
    name === 'creation' || name === 'modified' || fieldtype === 'Date' || fieldtype === 'Datetime';
  // "Null values can never be greater than any non-null value"
  if ((operator === '>' || operator === '>=') && dateLike) canBeNull = false;

  let op: Operator = operator;
  let right: unknown;
  let fallback: string | number = '';
  if (
    (op === '>' || op === '<' || op === '>=' || op === '<=') &&
    (name === 'creation' || name === 'modified')
  ) {
    right = cstr(value);
    canBeNull = false;
  } else if (op === 'between') {
    if (!dateLike) return { sqlError: syntaxError(`between ${cstr(value)}`) };
    const [low, high] = betweenBounds(value, fieldtype === 'Date' ? 'Date' : 'Datetime', today);
    return {
      test: (stored) => stored !== null && stored !== undefined && inRange(String(stored), low, high),
    };
  } else if (op === 'is') {
    if (value === 'set') {
      op = '!=';
      canBeNull = false;
    } else if (value === 'not set') {
      op = '=';
      canBeNull = true;
    } else {
      // The operator stays `is` and the value '': `col is ''` is not SQL.
      return { sqlError: syntaxError("''") };
    }
    right = '';
  } else if (fieldtype === 'Date') {
    right = formatDate(value, today);
    fallback = '0001-01-01';
  } else if (fieldtype === 'Datetime') {
    right = formatDatetime(value);
    fallback = FALLBACK_DATETIME;
  } else if (fieldtype === 'Time') {
    right = formatTime(value);
    fallback = '00:00:00';
  } else if (op === 'like' || op === 'not like' || (typeof value === 'string' && !numericField)) {
    right = value === null || value === undefined ? '' : value;
  } else if (op === '=' && (fieldtype === 'Link' || fieldtype === 'Data')) {
    right = cstr(value) || "''";
  } else if (name === 'name') {
    right = pyTruthy(value) ? value : "''";
  } else {
    right = flt(value);
    fallback = 0;
  }

  // For `is`, the original operator is neither `=` nor `like`: the column is wrapped exactly when it can be null.
  const useIfnull = plainIfnull(canBeNull, value, operator);
  const domain = domainOf(kind);
  const like = op === 'like' || op === 'not like' ? likePattern(cstr(right)) : undefined;

  return {
    test(stored) {
      let left: unknown = stored;
      let leftDomain = domain;
      if (stored === null || stored === undefined) {
        if (!useIfnull) return false;
        left = fallback;
        leftDomain = typeof fallback === 'number' ? 'number' : 'string';
      } else if (useIfnull && typeof fallback === 'string' && leftDomain === 'number') {
        // ifnull(number, '') is text: '5.000000000' for a Float.
        left = sqlText(stored, kind);
        leftDomain = 'string';
      }
      if (like !== undefined) {
        const matched = like.test(nameKey(sqlText(left, kind)));
        return op === 'like' ? matched : !matched;
      }
      const order = compareValues(left, leftDomain, right, kind);
      switch (op) {
        case '=':
          return order === 0;
        case '!=':
          return order !== 0;
        case '>':
          return order > 0;
        case '<':
          return order < 0;
        case '>=':
          return order >= 0;
        default:
          return order <= 0;
      }
    },
  };
}

/** The final test of prepare_filter_condition: no ifnull when it cannot be null, or for `= v` / `like v` with v set. */
function plainIfnull(canBeNull: boolean, value: unknown, operator: Operator): boolean {
  return canBeNull && !(pyTruthy(value) && (operator === '=' || operator === 'like'));
}

function anyEmpty(value: unknown): boolean {
  if (typeof value === 'string') return false; // its characters are never '' or None
  if (Array.isArray(value)) return value.some((v) => v === null || v === undefined || v === '');
  if (typeof value === 'object' && value !== null) return Object.keys(value).some((k) => k === '');
  pythonError('TypeError', `'${pyTypeName(value)}' object is not iterable`);
}

/** The values of `in` / `not in`: `values.split(",")` for a string, each `cstr(v).strip()`; none means (''). */
export function inList(value: unknown): string[] {
  const raw: unknown = pyTruthy(value) ? value : '';
  let items: unknown[];
  if (typeof raw === 'string') items = raw.split(',');
  else if (Array.isArray(raw)) items = raw;
  else if (typeof raw === 'object' && raw !== null) items = Object.keys(raw);
  else pythonError('TypeError', `'${pyTypeName(raw)}' object is not iterable`);
  const values = items.map((v) => cstr(v).trim());
  return values.length > 0 ? values : [''];
}

function membership(
  column: Column,
  isIn: boolean,
  values: string[],
  canBeNull: boolean,
): (stored: unknown) => boolean {
  const { kind } = column;
  const domain = domainOf(kind);
  // Lookup sets per domain, built once: a long `in` list over a big table stays linear.
  const strings = new Set(values.map(collationKey));
  let numbers: Set<number> | undefined;
  let temporals: Set<string> | undefined;
  const hit = (left: unknown, leftDomain: Domain): boolean => {
    if (leftDomain === 'number') {
      numbers ??= new Set(values.map(sqlNumber));
      return numbers.has(sqlNumber(left));
    }
    if (leftDomain === 'temporal') {
      const canon = kind === 'time' ? canonicalTime : canonicalDatetime;
      temporals ??= new Set(values.map((v) => canon(v) ?? collationKey(v)));
      const text = String(left);
      return temporals.has(canon(text) ?? collationKey(text));
    }
    return strings.has(collationKey(String(left)));
  };
  return (stored) => {
    let found: boolean;
    if (stored === null || stored === undefined) {
      if (!canBeNull) return false; // NULL [NOT] IN (...) is NULL
      found = hit('', 'string');
    } else if (canBeNull && domain === 'number') {
      found = hit(sqlText(stored, kind), 'string'); // ifnull(number, '') is text
    } else {
      found = hit(stored, domain);
    }
    return isIn ? found : !found;
  };
}

function inRange(stored: string, low: string, high: string): boolean {
  const value = canonicalDatetime(stored) ?? stored;
  const lo = canonicalDatetime(low) ?? low;
  const hi = canonicalDatetime(high) ?? high;
  return value >= lo && value <= hi;
}

function syntaxError(near: string): { code: number; message: string } {
  return {
    code: 1064,
    message: `You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '${near}'`,
  };
}
