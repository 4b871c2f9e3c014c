import type { Doc, Transaction } from './database.js';
import { frappeRaise, frappeThrow } from './errors.js';
import {
  type Column,
  type Condition,
  canonicalDatetime,
  canonicalTime,
  cint,
  collationKey,
  compileCondition,
  cstr,
  type Filter,
  inList,
  invalidField,
  isNumeric,
  kindOf,
  normalizeFilters,
  pyTruthy,
  pyTypeName,
  pythonError,
  sqlError,
  sqlNumber,
} from './filters.js';
import type { DocTypeDef, Meta } from './meta.js';
import { CHILD_FIELDS, STANDARD_FIELDS } from './meta.js';

export type { Filter, Operator } from './filters.js';

/**
 * Document lists as Frappe v15 answers them: `GET /api/resource/{Doctype}` (frappe/api/v1.py
 * document_list) and `frappe.client.get_list` (frappe/client.py), both ending in
 * frappe/desk/reportview.py validate_args and frappe/model/db_query.py DatabaseQuery.execute,
 * i.e. one SQL `select` over the doctype's table, LEFT JOINed to the child tables that the fields
 * or filters name, then evaluated by MariaDB.
 *
 * What that means for a caller:
 * - no `order_by`: Frappe v15 adds no ORDER BY (client.get_list passes order_by=None, which
 *   skips db_query's meta sort; frappe/frappe PR #40670 of 2026 added the default later), so
 *   MariaDB returns rows in primary-key order: here, `name` ascending in the collation's order;
 * - a child-table field or filter makes one row per matching child row (no DISTINCT:
 *   client.get_list does not pass `distinct`); a parent without child rows joins NULLs;
 * - rows hold exactly the requested keys, NULL kept as null; numeric columns are NOT NULL
 *   DEFAULT 0 in Frappe's schema, so an unset number reads 0;
 * - `limit_page_length` 0 (or empty) means no LIMIT, and then `limit_start` is ignored too.
 */

export interface OrderBy {
  /** The column as written: `modified`, `tabPurchase Order Item`.`idx`, an alias, a position. */
  field: string;
  desc: boolean;
}

export interface ListArgs {
  /** Field expressions: `name`, `items.item_code`, `` `tabChild`.`field` ``, `supplier.supplier_name`, `x as y`, or just `*`. */
  fields: string[];
  filters: Filter[];
  /** ORed together, then ANDed with `filters`. */
  orFilters: Filter[];
  /** Empty: no ORDER BY (primary-key order). */
  orderBy: OrderBy[];
  limitStart: number;
  /** 0 = no limit. */
  limitPageLength: number;
}

export interface ParseOptions {
  /**
   * Where the arguments came: `resource` (GET /api/resource/{Doctype}: query-string values, `fields`
   * decoded twice, `limit` an alias of `limit_page_length`) or `get_list` (frappe.client.get_list:
   * `fields` may be "*", `limit` is dropped). Default `resource`.
   */
  endpoint?: 'resource' | 'get_list';
}

export interface QueryOptions {
  /** The server's clock: an empty Date filter value and a missing `between` bound mean today. */
  now?: Date;
}

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

/** Reads the arguments of a list request as Frappe decodes them; raises what Frappe raises for bad input. */
export function parseListArgs(raw: Record<string, unknown>, options: ParseOptions = {}): ListArgs {
  const endpoint = options.endpoint ?? 'resource';

  // frappe/api/v1.py document_list: json.loads(fields); then reportview.parse_json decodes
  // filters, or_filters and (again, if still a string) fields, where "*" means all fields.
  let fields: unknown = raw.fields;
  if (endpoint === 'resource' && typeof fields === 'string' && fields !== '')
    fields = jsonLoads(fields, 'fields');
  const filters =
    typeof raw.filters === 'string' && raw.filters !== '' ? jsonLoads(raw.filters, 'filters') : raw.filters;
  const orFilters =
    typeof raw.or_filters === 'string' && raw.or_filters !== ''
      ? jsonLoads(raw.or_filters, 'or_filters')
      : raw.or_filters;
  if (typeof fields === 'string' && fields !== '')
    fields = fields === '*' ? ['*'] : jsonLoads(fields, 'fields');

  refuseUnsupported(raw, endpoint);

  // frappe/api/v1.py: form_dict.setdefault("limit_page_length", limit or limit_page_length or 20);
  // frappe/client.py get_list(limit_page_length=20); db_query: cint(x) if x else None.
  let pageLength: unknown = raw.limit_page_length;
  if (pageLength === undefined) pageLength = endpoint === 'resource' && pyTruthy(raw.limit) ? raw.limit : 20;

  return {
    fields: toFields(fields),
    filters: normalizeFilters(filters),
    orFilters: normalizeFilters(orFilters),
    orderBy: parseOrderBy(raw.order_by),
    limitStart: cint(raw.limit_start),
    limitPageLength: pyTruthy(pageLength) ? cint(pageLength) : 0,
  };
}

/**
 * json.loads. A malformed value makes Frappe answer 500 `json.decoder.JSONDecodeError` (not a
 * Frappe exception); the simulator's exception table has no such class, so it raises a
 * ValidationError (417) naming the decode error instead.
 */
function jsonLoads(text: string, param: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    frappeRaise('ValidationError', `JSONDecodeError: ${param} is not valid JSON (${reason}): ${text}`);
  }
}

function refuseUnsupported(raw: Record<string, unknown>, endpoint: 'resource' | 'get_list'): void {
  if (pyTruthy(raw.group_by)) frappeThrow('The ERPNext simulator does not support group_by in list queries');
  if (raw.as_dict !== undefined) {
    // api/v1.py converts as_dict with sbool; get_list(as_dict=True) returns lists when it is falsy.
    let asDict = raw.as_dict;
    if (endpoint === 'resource' && typeof asDict === 'string') {
      const lower = asDict.toLowerCase();
      asDict = lower === 'true' || lower === '1' ? true : lower === 'false' || lower === '0' ? false : asDict;
    }
    if (!pyTruthy(asDict)) frappeThrow('The ERPNext simulator does not support as_dict=0 (rows as lists)');
  }
}

function toFields(value: unknown): string[] {
  // DatabaseQuery.execute: no fields -> [`tab{doctype}`.`name`]
  if (!pyTruthy(value)) return ['name'];
  // reportview.validate_fields iterates `list(data.fields)`: a string's characters.
  if (typeof value === 'string') return value === '*' ? ['*'] : Array.from(value);
  if (Array.isArray(value)) {
    return value.map((field) => {
      if (typeof field !== 'string') {
        pythonError('TypeError', `expected string or bytes-like object, got '${pyTypeName(field)}'`);
      }
      return field;
    });
  }
  if (typeof value === 'object')
    frappeThrow('The ERPNext simulator does not support `fields` given as an object');
  pythonError('TypeError', `'${pyTypeName(value)}' object is not iterable`);
}

/** `order_by` as db_query's validate_order_by_and_group_by checks it, split into columns. */
function parseOrderBy(value: unknown): OrderBy[] {
  if (!pyTruthy(value)) return [];
  const text = cstr(value);
  const lower = text.toLowerCase();
  if (lower.includes('select') && lower.includes('from')) frappeThrow('Cannot use sub-query in order by');
  // ORDER_GROUP_PATTERN
  if (/[^a-z0-9\-_ ,`'".()]/.test(lower)) frappeThrow('Illegal SQL Query');
  const parts = text.split(',');
  for (const part of parts) {
    const fn = (part.trim().split('(')[0] ?? '').trimEnd().toLowerCase();
    if (fn.includes('sleep')) frappeThrow(`Cannot use ${fn} in order/group by`);
  }
  return parts.map((part) => {
    const match = /^(.*?)(?:\s+(asc|desc))?$/is.exec(part.trim());
    return { field: match?.[1] ?? '', desc: (match?.[2] ?? '').toLowerCase() === 'desc' };
  });
}

// ---------------------------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------------------------

/** frappe/model/__init__.py default_fields (with `doctype`, which is no column). */
const DEFAULT_FIELDS = ['doctype', ...STANDARD_FIELDS];
/** optional_fields; a parent table has all but `_seen` (only doctypes with track_seen). */
const OPTIONAL_FIELDS = ['_user_tags', '_comments', '_assign', '_liked_by', '_seen'];
const OPTIONAL_COLUMNS = ['_user_tags', '_comments', '_assign', '_liked_by'];

/** The table column `name` of a doctype, or undefined if its table has none. */
function columnOf(def: DocTypeDef, name: string): Column | undefined {
  if (name === 'creation' || name === 'modified') return { name, kind: 'datetime', fieldtype: undefined };
  if (name === 'docstatus' || name === 'idx') return { name, kind: 'int', fieldtype: undefined };
  if (name === 'name' || name === 'owner' || name === 'modified_by')
    return { name, kind: 'string', fieldtype: undefined };
  if (def.istable ? CHILD_FIELDS.includes(name) : OPTIONAL_COLUMNS.includes(name)) {
    return { name, kind: 'string', fieldtype: undefined };
  }
  const field = def.fields.find((f) => f.fieldname === name);
  if (field === undefined || field.fieldtype === 'Table') return undefined;
  return { name, kind: kindOf(field.fieldtype), fieldtype: field.fieldtype };
}

/** `fields: ["*"]`: reportview.update_wildcard_field_param -> frappe.model.get_permitted_fields. */
function wildcardColumns(def: DocTypeDef): string[] {
  return [
    ...STANDARD_FIELDS,
    ...(def.istable ? CHILD_FIELDS : OPTIONAL_COLUMNS),
    ...def.fields.filter((f) => f.fieldtype !== 'Table').map((f) => f.fieldname),
  ];
}

/** reportview.is_standard: checked on the part after a dot. */
function isStandard(fieldname: string): boolean {
  const name = fieldname.includes('.') ? stripTicks(fieldname.split('.')[1] ?? '') : fieldname;
  return DEFAULT_FIELDS.includes(name) || OPTIONAL_FIELDS.includes(name) || CHILD_FIELDS.includes(name);
}

function stripTicks(text: string): string {
  return text.replace(/^`+|`+$/g, '');
}

/** `x as y` (any case) -> expression and alias. */
function splitAlias(field: string): { expr: string; alias: string | undefined } {
  const match = /^(.*?)\s+as\s+(.+)$/is.exec(field.trim());
  if (match === null) return { expr: field.trim(), alias: undefined };
  return { expr: (match[1] ?? '').trim(), alias: (match[2] ?? '').trim().replace(/^[`'"]|[`'"]$/g, '') };
}

/** reportview.extract_fieldnames(field)[0]: the column a field expression reads. */
function extractFieldname(field: string): string {
  if (!/\W/u.test(field)) return field;
  return splitAlias(field)
    .expr.replace(/`/g, '')
    .replace(/\s*\.\s*/g, '.');
}

// ---------------------------------------------------------------------------------------------
// The query
// ---------------------------------------------------------------------------------------------

type Source =
  | { kind: 'main' }
  | { kind: 'child'; index: number }
  | { kind: 'link'; doctype: string; field: string };

interface Ref {
  source: Source;
  column: Column;
}

interface SelectItem {
  key: string;
  ref: Ref;
}

interface Join {
  def: DocTypeDef;
  /** The parent's Table fields holding these rows (none if it is not a child of the parent). */
  tableFields: string[];
}

interface Joined {
  main: Doc;
  children: (Doc | null)[];
}

interface CompiledFilter {
  filter: Filter;
  ref: Ref | undefined;
  test: (row: Joined) => boolean;
}

interface SqlProblem {
  code: number;
  message: string;
}

/**
 * Runs a list query in a transaction: filters, then order, then the page, then the requested
 * columns. Raises what Frappe raises, in its order: unknown fields (DataError "Field not
 * permitted in query"), unknown doctypes (DoesNotExistError), bad values, then the SQL errors
 * MariaDB would answer (500).
 */
export function queryList(
  txn: Transaction,
  meta: Meta,
  doctype: string,
  args: ListArgs,
  options: QueryOptions = {},
): Record<string, unknown>[] {
  return new ListQuery(txn, meta, doctype, args, options).run();
}

class ListQuery {
  readonly #txn: Transaction;
  readonly #meta: Meta;
  readonly #def: DocTypeDef;
  readonly #args: ListArgs;
  readonly #today: string;
  readonly #joins: Join[] = [];
  readonly #links = new Map<string, Doc | null>();
  /** The first error MariaDB would report, by phase: parse, select list, ON/WHERE, ORDER BY. */
  readonly #sql: { syntax?: SqlProblem; field?: SqlProblem; where?: SqlProblem; order?: SqlProblem } = {};

  constructor(txn: Transaction, meta: Meta, doctype: string, args: ListArgs, options: QueryOptions) {
    const def = meta.get(doctype);
    // DatabaseQuery.check_read_permission -> frappe.get_meta: "DocType {0} not found"
    if (def === undefined) frappeThrow(`DocType ${doctype} not found`, 'DoesNotExistError');
    this.#txn = txn;
    this.#meta = meta;
    this.#def = def;
    this.#args = args;
    this.#today = (options.now ?? new Date()).toISOString().slice(0, 10);
  }

  run(): Record<string, unknown>[] {
    const args = this.#args;
    const wildcard = args.fields.length === 1 && args.fields[0] === '*';
    // frappe/desk/reportview.py validate_args: fields, then filters, then or_filters.
    if (!wildcard) for (const field of args.fields) this.#validateField(field);
    for (const filter of [...args.filters, ...args.orFilters]) this.#validateFilter(filter);
    if (this.#def.issingle) sqlError(1146, `Table '_site.tab${this.#def.name}' doesn't exist`);

    // DatabaseQuery.execute: fields (joins for child and link fields), conditions, order.
    const select = wildcard
      ? wildcardColumns(this.#def).map((name) => this.#mainItem(name, undefined))
      : args.fields.flatMap((field) => this.#selectItem(field));
    const andFilters = args.filters.filter((f) => !this.#isMissingOptional(f)).map((f) => this.#compile(f));
    const orFilters = args.orFilters.map((f) => this.#compile(f));
    const order = args.orderBy.map((o) => ({ ref: this.#orderRef(o.field, select), desc: o.desc }));
    if (args.limitPageLength < 0 || (args.limitPageLength > 0 && args.limitStart < 0)) {
      this.#problem(
        'syntax',
        1064,
        `You have an error in your SQL syntax near 'limit ${String(args.limitPageLength)}'`,
      );
    }
    const problem = this.#sql.syntax ?? this.#sql.field ?? this.#sql.where ?? this.#sql.order;
    if (problem !== undefined) sqlError(problem.code, problem.message);

    const rows: Joined[] = [];
    for (const doc of this.#candidates(andFilters)) {
      for (const row of this.#combinations(doc)) {
        if (!andFilters.every((f) => f.test(row))) continue;
        if (orFilters.length > 0 && !orFilters.some((f) => f.test(row))) continue;
        rows.push(row);
      }
    }

    const sorted = order.length > 0 ? this.#sort(rows, order) : rows;
    const page =
      args.limitPageLength > 0
        ? sorted.slice(args.limitStart, args.limitStart + args.limitPageLength)
        : sorted;
    return page.map((row) => {
      const out: Record<string, unknown> = {};
      for (const item of select) {
        const value = this.#read(row, item.ref);
        out[item.key] = typeof value === 'object' && value !== null ? structuredClone(value) : value;
      }
      return out;
    });
  }

  // --- validation (reportview) ---------------------------------------------------------------

  #validateField(field: string): void {
    if (field.includes('(')) {
      frappeThrow(`The ERPNext simulator does not support SQL functions in fields: ${field}`);
    }
    const fieldname = extractFieldname(field);
    if (fieldname === '') invalidField(fieldname);
    if (isStandard(fieldname)) return;
    const [def, name] = this.#parenttypeAndField(fieldname);
    if (this.#meta.field(def.name, name) === undefined) invalidField(fieldname);
  }

  #validateFilter(filter: Filter): void {
    if (isStandard(filter.field)) return;
    if (filter.doctype === '') {
      const [def, name] = this.#parenttypeAndField(filter.field);
      if (this.#meta.field(def.name, name) === undefined) invalidField(filter.field);
      return;
    }
    this.#doctype(filter.doctype);
    if (this.#meta.field(filter.doctype, filter.field) === undefined) invalidField(filter.field);
  }

  /** reportview.get_parenttype_and_fieldname: `table_field.x`, `tabChild DocType.x` or a plain field. */
  #parenttypeAndField(fieldname: string): [DocTypeDef, string] {
    if (!fieldname.includes('.')) return [this.#def, stripTicks(fieldname)];
    const [first = '', second = ''] = fieldname.split('.');
    const df = this.#meta.field(this.#def.name, first);
    if (df === undefined) {
      if (!first.startsWith('tab'))
        pythonError('AttributeError', "'NoneType' object has no attribute 'options'");
      return [this.#doctype(first.slice(3)), second];
    }
    return [this.#doctype(df.options ?? 'None'), second];
  }

  #doctype(name: string): DocTypeDef {
    const def = this.#meta.get(name);
    if (def === undefined) frappeThrow(`DocType ${name} not found`, 'DoesNotExistError');
    return def;
  }

  // --- resolution (db_query) -----------------------------------------------------------------

  #problem(phase: 'syntax' | 'field' | 'where' | 'order', code: number, message: string): void {
    this.#sql[phase] ??= { code, message };
  }

  #mainItem(name: string, alias: string | undefined): SelectItem {
    const column = columnOf(this.#def, name) ?? { name, kind: 'string' as const, fieldtype: undefined };
    return { key: alias ?? name, ref: { source: { kind: 'main' }, column } };
  }

  /** One field expression -> its select item (none when set_optional_columns drops it). */
  #selectItem(field: string): SelectItem[] {
    // set_optional_columns: a field naming an optional column the table lacks is dropped.
    if (this.#missingOptionals().some((optional) => field.includes(optional))) return [];
    const { expr, alias } = splitAlias(field);
    const qualified = /^`([^`]*)`\s*\.\s*`?([^`]*)`?$/.exec(expr);
    if (qualified !== null) {
      const [, table = '', name = ''] = qualified;
      if (!table.startsWith('tab')) return this.#unknownField(`${table}.${name}`, alias ?? name);
      const ref = this.#tableRef(table.slice(3), name, 'field list');
      return ref === undefined
        ? this.#unknownField(`${table}.${name}`, alias ?? name)
        : [{ key: alias ?? name, ref }];
    }
    const dotted = /^([^.`\s]+)\.`?([^`.\s]*)`?$/.exec(expr);
    if (dotted !== null) {
      const [, first = '', name = ''] = dotted;
      const df = this.#meta.field(this.#def.name, first);
      if (df?.fieldtype === 'Link') return this.#linkItem(first, df.options ?? '', name, alias ?? name);
      if (df !== undefined) {
        // DatabaseQuery.parse_args: `table_field.x` -> `tab{options}`.`x`
        const ref = this.#tableRef(df.options ?? '', name, 'field list');
        return ref === undefined
          ? this.#unknownField(`tab${df.options ?? ''}.${name}`, alias ?? name)
          : [{ key: alias ?? name, ref }];
      }
      // Not a field: prepare_args quotes the whole expression as one column name.
      return this.#unknownField(expr, alias ?? name);
    }
    const name = stripTicks(expr);
    if (columnOf(this.#def, name) === undefined || /\s/.test(name))
      return this.#unknownField(this.#qualify(name), alias ?? name);
    return [this.#mainItem(name, alias)];
  }

  #unknownField(column: string, key: string): SelectItem[] {
    this.#problem('field', 1054, `Unknown column '${column}' in 'field list'`);
    return [
      { key, ref: { source: { kind: 'main' }, column: { name: key, kind: 'string', fieldtype: undefined } } },
    ];
  }

  /** set_field_tables: with joins, unqualified columns are written `tabDoctype`.col. */
  #qualify(name: string): string {
    return this.#joins.length > 0 ? `tab${this.#def.name}.${name}` : name;
  }

  /** `link_field.x`: a LEFT JOIN on the linked doctype (DatabaseQuery.append_link_table). */
  #linkItem(field: string, target: string, name: string, key: string): SelectItem[] {
    const def = this.#doctype(target);
    const column = columnOf(def, name);
    if (column === undefined) return this.#unknownField(`tab${target}_1.${name}`, key);
    return [{ key, ref: { source: { kind: 'link', doctype: target, field }, column } }];
  }

  /**
   * A column of `tab{doctype}`: the main table, or a child table joined on
   * (child.parenttype = main doctype and child.parent = main.name).
   */
  #tableRef(doctype: string, name: string, clause: 'field list' | 'where clause'): Ref | undefined {
    if (doctype === this.#def.name) {
      const column = columnOf(this.#def, name);
      return column === undefined ? undefined : { source: { kind: 'main' }, column };
    }
    const def = this.#doctype(doctype);
    if (!def.istable) {
      // Only child tables have parent / parenttype columns.
      this.#problem('where', 1054, `Unknown column 'tab${doctype}.parenttype' in 'on clause'`);
      return { source: { kind: 'main' }, column: { name, kind: 'string', fieldtype: undefined } };
    }
    const index = this.#join(def);
    const column = columnOf(def, name);
    if (column === undefined) {
      if (clause === 'where clause')
        this.#problem('where', 1054, `Unknown column 'tab${doctype}.${name}' in '${clause}'`);
      return undefined;
    }
    return { source: { kind: 'child', index }, column };
  }

  #join(def: DocTypeDef): number {
    const existing = this.#joins.findIndex((join) => join.def.name === def.name);
    if (existing >= 0) return existing;
    const tableFields = this.#def.fields
      .filter((f) => f.fieldtype === 'Table' && f.options === def.name)
      .map((f) => f.fieldname);
    this.#joins.push({ def, tableFields });
    return this.#joins.length - 1;
  }

  #missingOptionals(): string[] {
    return OPTIONAL_FIELDS.filter((optional) => columnOf(this.#def, optional) === undefined);
  }

  /** set_optional_columns also drops (AND) filters naming an optional column the table lacks. */
  #isMissingOptional(filter: Filter): boolean {
    const missing = this.#missingOptionals();
    return (
      missing.includes(filter.field) || (typeof filter.value === 'string' && missing.includes(filter.value))
    );
  }

  #compile(filter: Filter): CompiledFilter {
    const doctype = filter.doctype === '' ? this.#def.name : filter.doctype;
    const ref = this.#tableRef(doctype, filter.field, 'where clause');
    if (ref === undefined) {
      if (doctype === this.#def.name) {
        this.#problem('where', 1054, `Unknown column 'tab${doctype}.${filter.field}' in 'where clause'`);
      }
      return { filter, ref, test: () => false };
    }
    const condition: Condition = compileCondition(ref.column, filter.operator, filter.value, this.#today);
    if ('sqlError' in condition) {
      this.#problem('syntax', condition.sqlError.code, condition.sqlError.message);
      return { filter, ref, test: () => false };
    }
    return { filter, ref, test: (row) => condition.test(this.#read(row, ref)) };
  }

  /** An ORDER BY column: a select alias or position, `tabX`.`col`, or a column of one joined table. */
  #orderRef(field: string, select: SelectItem[]): Ref | undefined {
    const expr = field.trim();
    if (expr.includes('('))
      frappeThrow(`The ERPNext simulator does not support SQL functions in order_by: ${expr}`);
    const tables = [this.#def.name, ...this.#joins.map((j) => j.def.name)];
    if (expr.startsWith('`tab') && expr.includes('.')) {
      const table = expr.split('.')[0] ?? '';
      if (!tables.includes(table.slice(4, -1))) {
        frappeThrow(`Please select atleast 1 column from ${table.slice(4, -1)} to sort/group`);
      }
    }
    const unknown = (): undefined => {
      this.#problem('order', 1054, `Unknown column '${expr.replace(/`/g, '')}' in 'order clause'`);
      return undefined;
    };
    if (expr === '') {
      this.#problem('syntax', 1064, "You have an error in your SQL syntax near ''");
      return undefined;
    }
    const qualified = /^`?tab([^`.]+)`?\s*\.\s*`?([^`.\s]+)`?$/.exec(expr);
    if (qualified !== null) {
      const [, table = '', name = ''] = qualified;
      const index = this.#joins.findIndex((j) => j.def.name === table);
      const def = table === this.#def.name ? this.#def : this.#joins[index]?.def;
      const column = def === undefined ? undefined : columnOf(def, name);
      if (column === undefined) return unknown();
      return {
        source: index >= 0 && table !== this.#def.name ? { kind: 'child', index } : { kind: 'main' },
        column,
      };
    }
    if (/^\d+$/.test(expr)) return select[Number(expr) - 1]?.ref ?? unknown();
    const name = stripTicks(expr);
    if (!/^[^\s.`]+$/.test(name)) {
      this.#problem('syntax', 1064, `You have an error in your SQL syntax near '${expr}'`);
      return undefined;
    }
    // MariaDB resolves ORDER BY names against the select list first, then the tables.
    const selected = select.filter((item) => item.key === name);
    if (selected.length === 1 && selected[0] !== undefined) return selected[0].ref;
    const candidates: Ref[] = [];
    const mainColumn = columnOf(this.#def, name);
    if (mainColumn !== undefined) candidates.push({ source: { kind: 'main' }, column: mainColumn });
    this.#joins.forEach((join, index) => {
      const column = columnOf(join.def, name);
      if (column !== undefined) candidates.push({ source: { kind: 'child', index }, column });
    });
    if (candidates.length > 1 || selected.length > 1) {
      this.#problem('order', 1052, `Column '${name}' in order clause is ambiguous`);
      return undefined;
    }
    return candidates[0] ?? unknown();
  }

  // --- execution -----------------------------------------------------------------------------

  /** The main table's rows in primary-key order; `name = x` / `name in (...)` are looked up, not scanned. */
  #candidates(filters: CompiledFilter[]): Doc[] {
    const keyed = this.#def.istable ? undefined : this.#nameLookup(filters);
    let docs: Doc[];
    if (keyed !== undefined) {
      docs = [];
      for (const name of keyed) {
        const doc = this.#txn.get(this.#def.name, name);
        if (doc !== undefined) docs.push(doc);
      }
    } else if (this.#def.istable) {
      docs = this.#childRows();
    } else {
      docs = [...this.#txn.scan(this.#def.name)];
    }
    const keys = new Map(docs.map((doc) => [doc, collationKey(String(doc.name))]));
    return docs.sort((a, b) => {
      const ka = keys.get(a) ?? '';
      const kb = keys.get(b) ?? '';
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  #nameLookup(filters: CompiledFilter[]): string[] | undefined {
    for (const { filter, ref } of filters) {
      if (ref?.source.kind !== 'main' || filter.field !== 'name') continue;
      let names: string[] | undefined;
      if (filter.operator === '=' && typeof filter.value === 'string') names = [filter.value];
      if (filter.operator === 'in') names = inList(filter.value);
      if (names === undefined) continue;
      const unique = new Map<string, string>();
      for (const name of names) {
        const trimmed = name.replace(/ +$/u, '');
        if (trimmed !== '') unique.set(collationKey(trimmed), trimmed);
      }
      return [...unique.values()];
    }
    return undefined;
  }

  /** A child doctype queried directly: its rows under every parent doctype. */
  #childRows(): Doc[] {
    const rows: Doc[] = [];
    for (const parent of this.#meta.all()) {
      const fields = parent.fields.filter((f) => f.fieldtype === 'Table' && f.options === this.#def.name);
      if (fields.length === 0 || parent.issingle) continue;
      for (const doc of this.#txn.scan(parent.name)) {
        for (const field of fields) rows.push(...childrenOf(doc, field.fieldname));
      }
    }
    return rows;
  }

  /** The LEFT JOINs: one row per combination of child rows, NULLs where a parent has none. */
  #combinations(doc: Doc): Joined[] {
    let rows: Joined[] = [{ main: doc, children: [] }];
    for (const join of this.#joins) {
      const children = this.#def.istable ? [] : join.tableFields.flatMap((field) => childrenOf(doc, field));
      const options: (Doc | null)[] = children.length > 0 ? children : [null];
      rows = rows.flatMap((row) =>
        options.map((child) => ({ main: row.main, children: [...row.children, child] })),
      );
    }
    return rows;
  }

  #read(row: Joined, ref: Ref): unknown {
    let source: Doc | null | undefined;
    if (ref.source.kind === 'main') source = row.main;
    else if (ref.source.kind === 'child') source = row.children[ref.source.index];
    else source = this.#linked(ref.source.doctype, row.main[ref.source.field]);
    if (source === null || source === undefined) return null;
    const value = source[ref.column.name];
    if (value === undefined || value === null) return isNumeric(ref.column.kind) ? 0 : null;
    return value;
  }

  #linked(doctype: string, value: unknown): Doc | null {
    if (value === null || value === undefined || value === '') return null;
    const name = String(value).replace(/ +$/u, '');
    const key = `${doctype}\u0000${collationKey(name)}`;
    let doc = this.#links.get(key);
    if (doc === undefined) {
      doc = this.#txn.get(doctype, name) ?? null;
      this.#links.set(key, doc);
    }
    return doc;
  }

  #sort(rows: Joined[], order: { ref: Ref | undefined; desc: boolean }[]): Joined[] {
    const keyed = rows.map((row) => ({
      row,
      keys: order.map(({ ref }) => (ref === undefined ? null : sortKey(this.#read(row, ref), ref.column))),
    }));
    keyed.sort((a, b) => {
      for (const [i, { desc }] of order.entries()) {
        const c = compareKeys(a.keys[i] ?? null, b.keys[i] ?? null);
        if (c !== 0) return desc ? -c : c;
      }
      return 0;
    });
    return keyed.map((k) => k.row);
  }
}

function childrenOf(doc: Doc, field: string): Doc[] {
  const rows = doc[field];
  if (!Array.isArray(rows)) return [];
  return (rows as Doc[]).slice().sort((a, b) => sqlNumber(a.idx ?? 0) - sqlNumber(b.idx ?? 0));
}

/** A value's place in ORDER BY: numbers numerically, text by the collation, dates as dates; NULL first. */
function sortKey(value: unknown, column: Column): number | string | null {
  if (value === null || value === undefined) return null;
  if (isNumeric(column.kind)) return sqlNumber(value);
  const text = String(value);
  if (column.kind === 'date' || column.kind === 'datetime')
    return canonicalDatetime(text) ?? collationKey(text);
  if (column.kind === 'time') return canonicalTime(text) ?? collationKey(text);
  return collationKey(text);
}

function compareKeys(a: number | string | null, b: number | string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
