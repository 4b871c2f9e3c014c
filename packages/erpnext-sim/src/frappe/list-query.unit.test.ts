import { beforeEach, describe, expect, it } from 'vitest';
import type { Doc, Transaction } from './database.js';
import { Database } from './database.js';
import { FrappeError } from './errors.js';
import { type ListArgs, type ParseOptions, parseListArgs, queryList } from './list-query.js';
import { Meta } from './meta.js';

const NOW = new Date('2026-01-31T10:00:00Z');

interface ItemRow {
  item_code: string;
  qty: number;
  warehouse?: string;
}

function purchaseOrder(name: string, fields: Record<string, unknown>, items: ItemRow[]): Doc {
  const modified = String(fields.modified);
  return {
    doctype: 'Purchase Order',
    name,
    owner: 'api@example.com',
    creation: modified,
    modified_by: 'api@example.com',
    idx: 0,
    company: 'Company A',
    ...fields,
    items: items.map((item, i) => ({
      doctype: 'Purchase Order Item',
      name: `${name}-row-${String(i + 1)}`,
      parent: name,
      parentfield: 'items',
      parenttype: 'Purchase Order',
      idx: i + 1,
      docstatus: fields.docstatus,
      schedule_date: '2026-03-01',
      rate: 10,
      ...item,
    })),
  };
}

const ORDERS: Doc[] = [
  purchaseOrder(
    'PUR-ORD-2026-00001',
    {
      supplier: 'Acme',
      transaction_date: '2026-01-10',
      grand_total: 100,
      docstatus: 1,
      status: 'To Receive and Bill',
      modified: '2026-01-10 09:00:00.000000',
      order_confirmation_no: 'OC-1',
    },
    [
      { item_code: 'ITEM-A', qty: 2 },
      { item_code: 'ITEM-B', qty: 3 },
    ],
  ),
  purchaseOrder(
    'PUR-ORD-2026-00002',
    {
      supplier: 'Société Générale',
      transaction_date: '2026-01-15',
      grand_total: 250.5,
      docstatus: 0,
      status: 'Draft',
      modified: '2026-01-20 12:00:00.000000',
    },
    [
      { item_code: 'ITEM-A', qty: 1 },
      { item_code: 'ITEM-A', qty: 4 },
    ],
  ),
  purchaseOrder(
    'PUR-ORD-2026-00003',
    {
      supplier: 'acme',
      transaction_date: '2026-02-01',
      grand_total: 50,
      docstatus: 2,
      status: 'Cancelled',
      modified: '2026-02-01 08:00:00.000000',
      order_confirmation_no: '',
    },
    [{ item_code: 'ITEM-C', qty: 10 }],
  ),
  purchaseOrder(
    'PUR-ORD-2026-00004',
    {
      supplier: 'Zeta',
      transaction_date: '2026-01-31',
      docstatus: 0,
      status: 'Draft',
      modified: '2026-01-31 23:59:59.999999',
      order_confirmation_no: 'x_1%',
    },
    [],
  ),
];

const SUPPLIERS: Doc[] = [
  { doctype: 'Supplier', name: 'Acme', supplier_name: 'Acme Corp', modified: '2026-01-01 00:00:00.000000' },
  {
    doctype: 'Supplier',
    name: 'Société Générale',
    supplier_name: 'SG',
    modified: '2026-01-01 00:00:00.000000',
  },
  { doctype: 'Supplier', name: 'Zeta', supplier_name: 'Zeta Ltd', modified: '2026-01-01 00:00:00.000000' },
];

function serial(n: number): Doc {
  const name = `SN-${String(n).padStart(3, '0')}`;
  return {
    doctype: 'Serial No',
    name,
    serial_no: name,
    item_code: n % 2 === 1 ? 'ITEM-A' : 'ITEM-B',
    warehouse: n <= 10 ? 'Stores - A' : null,
    status: n <= 10 ? 'Active' : 'Delivered',
    docstatus: 0,
    modified: `2026-01-${String(n).padStart(2, '0')} 10:00:00.000000`,
  };
}

let meta: Meta;
let db: Database;
let txn: Transaction;

beforeEach(() => {
  meta = new Meta();
  db = new Database();
  db.restore({
    tables: {
      'Purchase Order': structuredClone(ORDERS),
      Supplier: structuredClone(SUPPLIERS),
      'Serial No': Array.from({ length: 25 }, (_, i) => serial(i + 1)),
    },
    series: {},
  });
  txn = db.begin();
});

function list(
  doctype: string,
  raw: Record<string, unknown>,
  options: ParseOptions = {},
): Record<string, unknown>[] {
  return queryList(txn, meta, doctype, parseListArgs(raw, options), { now: NOW });
}

/** GET /api/resource/Purchase Order with JSON-encoded query-string values. */
function orders(raw: Record<string, unknown>): Record<string, unknown>[] {
  const encoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    encoded[key] = typeof value === 'string' ? value : JSON.stringify(value);
  return list('Purchase Order', encoded);
}

function names(rows: Record<string, unknown>[]): unknown[] {
  return rows.map((row) => row.name);
}

function failure(run: () => unknown): FrappeError {
  try {
    run();
  } catch (error) {
    if (error instanceof FrappeError) return error;
    throw error;
  }
  throw new Error('expected a FrappeError');
}

const PO1 = 'PUR-ORD-2026-00001';
const PO2 = 'PUR-ORD-2026-00002';
const PO3 = 'PUR-ORD-2026-00003';
const PO4 = 'PUR-ORD-2026-00004';

describe('parseListArgs', () => {
  it('has Frappe’s defaults: name, 20 rows from 0, no ORDER BY', () => {
    expect(parseListArgs({})).toEqual({
      fields: ['name'],
      filters: [],
      orFilters: [],
      orderBy: [],
      limitStart: 0,
      limitPageLength: 20,
    } satisfies ListArgs);
  });

  it('reads query-string values (JSON text, numbers as text)', () => {
    const args = parseListArgs({
      fields: '["name", "supplier"]',
      filters: '{"supplier": "Acme", "grand_total": [">", 10]}',
      or_filters: '[["status", "=", "Draft"]]',
      order_by: 'modified desc, name ASC',
      limit_start: '5',
      limit_page_length: '10',
    });
    expect(args).toEqual({
      fields: ['name', 'supplier'],
      filters: [
        { doctype: '', field: 'supplier', operator: '=', value: 'Acme' },
        { doctype: '', field: 'grand_total', operator: '>', value: 10 },
      ],
      orFilters: [{ doctype: '', field: 'status', operator: '=', value: 'Draft' }],
      orderBy: [
        { field: 'modified', desc: true },
        { field: 'name', desc: false },
      ],
      limitStart: 5,
      limitPageLength: 10,
    });
  });

  it('reads a frappe.client.get_list JSON body (values already parsed)', () => {
    const args = parseListArgs(
      {
        doctype: 'Purchase Order',
        fields: ['name'],
        filters: [['Purchase Order Item', 'item_code', 'LIKE', 'ITEM-%']],
        limit_page_length: 0,
        limit_start: 3,
      },
      { endpoint: 'get_list' },
    );
    expect(args.filters).toEqual([
      { doctype: 'Purchase Order Item', field: 'item_code', operator: 'like', value: 'ITEM-%' },
    ]);
    expect(args.limitPageLength).toBe(0);
    expect(args.limitStart).toBe(3);
  });

  it('takes `limit` as limit_page_length on /api/resource only, and limit_page_length over it', () => {
    expect(parseListArgs({ limit: '5' }).limitPageLength).toBe(5);
    expect(parseListArgs({ limit: '5', limit_page_length: '7' }).limitPageLength).toBe(7);
    expect(parseListArgs({ limit: 5 }, { endpoint: 'get_list' }).limitPageLength).toBe(20);
  });

  it('treats 0, "", null and "abc" page lengths as no limit, as cint does', () => {
    for (const value of ['0', '', null, 'abc', 0]) {
      expect(parseListArgs({ limit_page_length: value }).limitPageLength).toBe(0);
    }
    expect(parseListArgs({ limit_page_length: '12.9' }).limitPageLength).toBe(12);
  });

  it('accepts fields "*" through get_list, and decodes fields twice on /api/resource', () => {
    expect(parseListArgs({ fields: '*' }, { endpoint: 'get_list' }).fields).toEqual(['*']);
    expect(parseListArgs({ fields: '"*"' }).fields).toEqual(['*']);
    const error = failure(() => parseListArgs({ fields: '*' }));
    expect(error.excType).toBe('ValidationError');
    expect(error.message).toContain('JSONDecodeError: fields is not valid JSON');
  });

  it.each([
    ['filters', '{"supplier": "Acme"'],
    ['or_filters', "[['name','=','x']]"],
    ['fields', '[name]'],
  ])('refuses malformed JSON in %s', (param, text) => {
    const error = failure(() => parseListArgs({ [param]: text }));
    // Frappe answers 500 json.decoder.JSONDecodeError; the simulator has no such exception class.
    expect(error.excType).toBe('ValidationError');
    expect(error.httpStatus).toBe(417);
    expect(error.message).toContain(`JSONDecodeError: ${param} is not valid JSON`);
  });

  it('refuses an unknown operator with Frappe’s list', () => {
    const error = failure(() => parseListArgs({ filters: '[["name", "~", "x"]]' }));
    expect(error.excType).toBe('ValidationError');
    expect(error.httpStatus).toBe(417);
    expect(error.message).toBe(
      'Operator must be one of =, !=, >, <, >=, <=, like, not like, in, not in, is, between, timespan, previous, next, ancestors of, descendants of, not ancestors of, not descendants of, descendants of (inclusive)',
    );
    expect(error.messages[0]?.message).toBe(error.message);
  });

  it('takes operators in any case, and a missing operator as =', () => {
    const args = parseListArgs(
      {
        filters: [
          ['name', 'NOT IN', 'a'],
          ['name', 'Like', 'b'],
          ['name', '', 'c'],
        ],
      },
      {
        endpoint: 'get_list',
      },
    );
    expect(args.filters.map((f) => f.operator)).toEqual(['not in', 'like', '=']);
  });

  it('says which Frappe operators the simulator does not implement', () => {
    const error = failure(() => parseListArgs({ filters: '[["modified", "timespan", "last week"]]' }));
    expect(error.httpStatus).toBe(417);
    expect(error.message).toBe("The ERPNext simulator does not support the filter operator 'timespan'");
  });

  it('refuses a filter with two values as get_filter does', () => {
    const error = failure(() => parseListArgs({ filters: '[["name", "="]]' }));
    expect(error.excType).toBe('ValidationError');
    expect(error.message).toBe(
      "Filter must have 4 values (doctype, fieldname, operator, value): ['name', '=']",
    );
  });

  it('answers a flat filter list as Frappe does: its first string is taken for a doctype', () => {
    const error = failure(() => parseListArgs({ filters: '["name", "=", "x"]' }));
    expect(error.excType).toBe('DoesNotExistError');
    expect(error.httpStatus).toBe(404);
    expect(error.message).toBe('DocType n not found');
  });

  it('crashes like Python on a dict filter whose list has one value', () => {
    const error = failure(() => parseListArgs({ filters: '{"name": ["="]}' }));
    expect(error.httpStatus).toBe(500);
    expect(error.message).toBe('IndexError: list index out of range');
  });

  it('crashes like Python on a dict inside a filter list (validate_filters indexes it)', () => {
    const error = failure(() => parseListArgs({ filters: '[{"name": "x"}]' }));
    expect(error.excType).toBe('KeyError');
    expect(error.httpStatus).toBe(500);
    expect(error.message).toBe('1');
  });

  it('checks order_by as validate_order_by_and_group_by does', () => {
    expect(failure(() => parseListArgs({ order_by: 'name; drop table x' })).message).toBe(
      'Illegal SQL Query',
    );
    expect(failure(() => parseListArgs({ order_by: '(select name from x)' })).message).toBe(
      'Cannot use sub-query in order by',
    );
    expect(failure(() => parseListArgs({ order_by: 'sleep(5)' })).message).toBe(
      'Cannot use sleep in order/group by',
    );
  });

  it('refuses group_by and as_dict=0, which the simulator does not implement', () => {
    expect(failure(() => parseListArgs({ group_by: 'supplier' })).httpStatus).toBe(417);
    expect(failure(() => parseListArgs({ as_dict: '0' })).httpStatus).toBe(417);
    expect(parseListArgs({ as_dict: '1' }).fields).toEqual(['name']);
  });
});

describe('queryList: defaults, paging and order', () => {
  it('returns 20 names in primary-key order when nothing is asked', () => {
    const rows = list('Serial No', {});
    expect(rows).toHaveLength(20);
    expect(rows[0]).toEqual({ name: 'SN-001' });
    expect(rows[19]).toEqual({ name: 'SN-020' });
  });

  it('pages with limit_start and limit_page_length', () => {
    expect(names(list('Serial No', { limit_start: '20', limit_page_length: '3' }))).toEqual([
      'SN-021',
      'SN-022',
      'SN-023',
    ]);
    expect(names(list('Serial No', { limit_start: '24', limit_page_length: '3' }))).toEqual(['SN-025']);
  });

  it('returns everything for limit_page_length 0, ignoring limit_start (no LIMIT clause)', () => {
    expect(list('Serial No', { limit_page_length: '0', limit_start: '10' })).toHaveLength(25);
  });

  it('orders by several columns, text by the collation, numbers numerically', () => {
    const rows = orders({
      fields: ['name', 'supplier', 'grand_total'],
      order_by: 'supplier asc, grand_total desc',
    });
    expect(rows.map((r) => [r.supplier, r.grand_total])).toEqual([
      ['Acme', 100],
      ['acme', 50],
      ['Société Générale', 250.5],
      ['Zeta', 0],
    ]);
    expect(names(orders({ order_by: 'grand_total' }))).toEqual([PO4, PO3, PO1, PO2]);
  });

  it('puts NULL first ascending and last descending', () => {
    const asc = orders({ fields: ['order_confirmation_no'], order_by: 'order_confirmation_no' });
    expect(asc.map((r) => r.order_confirmation_no)).toEqual([null, '', 'OC-1', 'x_1%']);
    const desc = orders({ fields: ['order_confirmation_no'], order_by: 'order_confirmation_no desc' });
    expect(desc.map((r) => r.order_confirmation_no)).toEqual(['x_1%', 'OC-1', '', null]);
  });

  it('orders by datetimes, a qualified column, an alias or a position', () => {
    expect(names(orders({ order_by: 'modified desc' }))).toEqual([PO3, PO4, PO2, PO1]);
    expect(names(orders({ order_by: '`tabPurchase Order`.`modified` asc' }))).toEqual([PO1, PO2, PO4, PO3]);
    expect(names(orders({ fields: ['name', 'grand_total as total'], order_by: 'total desc' }))).toEqual([
      PO2,
      PO1,
      PO3,
      PO4,
    ]);
    expect(names(orders({ fields: ['name', 'grand_total'], order_by: '2 desc' }))).toEqual([
      PO2,
      PO1,
      PO3,
      PO4,
    ]);
  });

  it('orders joined rows by a child column', () => {
    const rows = orders({
      fields: ['name', 'items.qty'],
      filters: [['Purchase Order Item', 'item_code', '=', 'ITEM-A']],
      order_by: '`tabPurchase Order Item`.`qty` desc',
    });
    expect(rows).toEqual([
      { name: PO2, qty: 4 },
      { name: PO1, qty: 2 },
      { name: PO2, qty: 1 },
    ]);
  });

  it('answers 417 when ordering by a child table the query does not join', () => {
    const error = failure(() => orders({ order_by: '`tabPurchase Order Item`.`qty` desc' }));
    expect(error.excType).toBe('ValidationError');
    expect(error.httpStatus).toBe(417);
    expect(error.message).toBe('Please select atleast 1 column from Purchase Order Item to sort/group');
  });

  it('answers 500 for an unqualified column that both joined tables have, unless it is selected', () => {
    const args = {
      filters: [['Purchase Order Item', 'item_code', '=', 'ITEM-C']],
      order_by: 'modified desc',
    };
    const error = failure(() => orders(args));
    expect(error.httpStatus).toBe(500);
    expect(error.message).toBe('(1052, "Column \'modified\' in order clause is ambiguous")');
    expect(orders({ ...args, fields: ['name', 'modified'] })).toEqual([
      { name: PO3, modified: '2026-02-01 08:00:00.000000' },
    ]);
  });

  it('answers 500 for an unknown order column', () => {
    const error = failure(() => orders({ order_by: 'nope desc' }));
    expect(error.httpStatus).toBe(500);
    expect(error.message).toBe("(1054, \"Unknown column 'nope' in 'order clause'\")");
  });
});

describe('queryList: fields', () => {
  it('returns exactly the requested keys, keeping NULL and reading unset numbers as 0', () => {
    const rows = orders({
      fields: ['name', 'supplier', 'schedule_date', 'grand_total', 'docstatus'],
      filters: { name: PO4 },
    });
    expect(rows).toEqual([
      { name: PO4, supplier: 'Zeta', schedule_date: null, grand_total: 0, docstatus: 0 },
    ]);
  });

  it('expands ["*"] to the standard, optional and data columns (no tables)', () => {
    const [row] = orders({ fields: ['*'], filters: { name: PO1 } });
    expect(row).toBeDefined();
    const keys = Object.keys(row ?? {});
    expect(keys.slice(0, 11)).toEqual([
      'name',
      'owner',
      'creation',
      'modified',
      'modified_by',
      'docstatus',
      'idx',
      '_user_tags',
      '_comments',
      '_assign',
      '_liked_by',
    ]);
    expect(keys).toContain('supplier');
    expect(keys).not.toContain('items');
    expect(row?._user_tags).toBeNull();
    expect(row?.supplier).toBe('Acme');
  });

  it('joins child rows for `table_field.x` and `tabChild`.`x`: one row per child row', () => {
    const rows = orders({ fields: ['name', 'items.item_code', '`tabPurchase Order Item`.`qty`'] });
    expect(rows).toEqual([
      { name: PO1, item_code: 'ITEM-A', qty: 2 },
      { name: PO1, item_code: 'ITEM-B', qty: 3 },
      { name: PO2, item_code: 'ITEM-A', qty: 1 },
      { name: PO2, item_code: 'ITEM-A', qty: 4 },
      { name: PO3, item_code: 'ITEM-C', qty: 10 },
      { name: PO4, item_code: null, qty: null },
    ]);
  });

  it('names columns by alias', () => {
    const rows = orders({ fields: ['name as id', 'items.item_code as item'], filters: { name: PO3 } });
    expect(rows).toEqual([{ id: PO3, item: 'ITEM-C' }]);
  });

  it('reads a linked document’s column through `link_field.x`', () => {
    const rows = orders({ fields: ['name', 'supplier.supplier_name'], order_by: 'name' });
    expect(rows.map((r) => r.supplier_name)).toEqual(['Acme Corp', 'SG', 'Acme Corp', 'Zeta Ltd']);
  });

  it('answers "Field not permitted in query" for unknown fields (frappe.DataError)', () => {
    for (const [field, reported] of [
      ['nope', 'nope'],
      ['items.nope', 'items.nope'],
      ['`tabPurchase Order Item`.`nope`', 'tabPurchase Order Item.nope'],
      ['*', '*'],
    ] as const) {
      const error = failure(() => orders({ fields: ['name', field] }));
      expect(error.excType).toBe('DataError');
      expect(error.message).toBe(`Field not permitted in query: ${reported}`);
      expect(error.messages[0]?.message).toBe(error.message);
    }
  });

  it('answers 500 for fields that pass Frappe’s check but are no column', () => {
    for (const field of ['doctype', 'items', 'parent']) {
      const error = failure(() => orders({ fields: [field] }));
      expect(error.httpStatus).toBe(500);
      expect(error.message).toBe(`(1054, "Unknown column '${field}' in 'field list'")`);
    }
  });

  it('answers 404 for a `tabX.y` field naming no doctype', () => {
    const error = failure(() => orders({ fields: ['`tabNope`.`name`'] }));
    expect(error.excType).toBe('DoesNotExistError');
    expect(error.httpStatus).toBe(404);
    expect(error.message).toBe('DocType Nope not found');
  });

  it('refuses SQL functions, which the simulator does not evaluate', () => {
    expect(failure(() => orders({ fields: ['count(name)'] })).httpStatus).toBe(417);
  });
});

describe('queryList: filter forms', () => {
  it.each([
    ['{"field": v}', { supplier: 'Zeta' }],
    ['{"field": [op, v]}', { supplier: ['=', 'Zeta'] }],
    ['[[field, op, v]]', [['supplier', '=', 'Zeta']]],
    ['[[doctype, field, op, v]]', [['Purchase Order', 'supplier', '=', 'Zeta']]],
  ])('%s', (_form, filters) => {
    expect(names(orders({ filters }))).toEqual([PO4]);
  });

  it('compares text as utf8mb4_unicode_ci: case, accents and trailing spaces do not matter', () => {
    expect(names(orders({ filters: { supplier: 'ACME' } }))).toEqual([PO1, PO3]);
    expect(names(orders({ filters: { supplier: 'societe generale  ' } }))).toEqual([PO2]);
    expect(names(orders({ filters: { name: 'pur-ord-2026-00002' } }))).toEqual([PO2]);
  });

  it('matches a child filter once per matching child row', () => {
    expect(names(orders({ filters: [['Purchase Order Item', 'item_code', '=', 'ITEM-A']] }))).toEqual([
      PO1,
      PO2,
      PO2,
    ]);
    expect(names(orders({ filters: [['Purchase Order Item', 'qty', '>', 3]] }))).toEqual([PO2, PO3]);
  });

  it('joins NULLs for a parent without child rows (LEFT JOIN)', () => {
    expect(names(orders({ filters: [['Purchase Order Item', 'item_code', 'is', 'not set']] }))).toEqual([
      PO4,
    ]);
    expect(names(orders({ filters: [['Purchase Order Item', 'item_code', '!=', 'ITEM-A']] }))).toEqual([
      PO1,
      PO3,
      PO4,
    ]);
  });

  it('combines or_filters with OR, then with filters by AND', () => {
    const rows = orders({
      filters: { docstatus: ['!=', 2] },
      or_filters: [
        ['supplier', '=', 'acme'],
        ['grand_total', '>', 200],
      ],
    });
    expect(names(rows)).toEqual([PO1, PO2]);
  });

  it('queries a child doctype directly', () => {
    const rows = list('Purchase Order Item', {
      fields: '["parent", "qty"]',
      filters: '[["item_code", "=", "ITEM-A"]]',
      order_by: 'qty desc',
    });
    expect(rows).toEqual([
      { parent: PO2, qty: 4 },
      { parent: PO1, qty: 2 },
      { parent: PO2, qty: 1 },
    ]);
  });

  it('sees the transaction’s own writes and deletions', () => {
    txn.put(purchaseOrder(`${PO4}-1`, { supplier: 'Zeta', modified: '2026-01-31 12:00:00.000000' }, []));
    txn.delete('Purchase Order', PO4);
    expect(names(orders({ filters: { supplier: 'Zeta' } }))).toEqual([`${PO4}-1`]);
    expect(
      names(
        queryList(db.begin(), meta, 'Purchase Order', parseListArgs({ filters: '{"supplier": "Zeta"}' })),
      ),
    ).toEqual([PO4]);
  });
});

describe('queryList: operators', () => {
  it.each([
    ['=', 100, [PO1]],
    ['!=', 100, [PO2, PO3, PO4]],
    ['>', 50, [PO1, PO2]],
    ['<', 50, [PO4]],
    ['>=', 50, [PO1, PO2, PO3]],
    ['<=', 50, [PO3, PO4]],
    ['>', '99.5', [PO1, PO2]],
  ])('grand_total %s %s', (op, value, expected) => {
    expect(names(orders({ filters: [['grand_total', op, value]] }))).toEqual(expected);
  });

  it('like / not like: % and _ wildcards, any case and accent; NULL fails like and passes not like', () => {
    expect(names(orders({ filters: [['supplier', 'like', 'ac%']] }))).toEqual([PO1, PO3]);
    expect(names(orders({ filters: [['supplier', 'like', '%GENERALE']] }))).toEqual([PO2]);
    expect(names(orders({ filters: [['supplier', 'like', 'Zet_']] }))).toEqual([PO4]);
    expect(names(orders({ filters: [['order_confirmation_no', 'like', '%']] }))).toEqual([PO1, PO3, PO4]);
    expect(names(orders({ filters: [['order_confirmation_no', 'not like', 'OC%']] }))).toEqual([
      PO2,
      PO3,
      PO4,
    ]);
    expect(names(orders({ filters: [['order_confirmation_no', 'like', 'x\\_1%']] }))).toEqual([]);
  });

  it('in / not in: a list or a comma-separated string, values stripped', () => {
    expect(names(orders({ filters: [['status', 'in', ['Draft', 'Cancelled']]] }))).toEqual([PO2, PO3, PO4]);
    expect(names(orders({ filters: [['status', 'in', 'draft, cancelled']] }))).toEqual([PO2, PO3, PO4]);
    expect(names(orders({ filters: [['status', 'not in', 'Draft']] }))).toEqual([PO1, PO3]);
    expect(names(orders({ filters: [['docstatus', 'in', [0, 1]]] }))).toEqual([PO1, PO2, PO4]);
    expect(names(orders({ filters: { name: ['in', [PO3, 'pur-ord-2026-00001', 'nope']] } }))).toEqual([
      PO1,
      PO3,
    ]);
  });

  it('lets NULL match not in and in (""), as ifnull(col, "") does', () => {
    expect(names(orders({ filters: [['order_confirmation_no', 'not in', ['OC-1']]] }))).toEqual([
      PO2,
      PO3,
      PO4,
    ]);
    expect(names(orders({ filters: [['order_confirmation_no', 'in', ['']]] }))).toEqual([PO2, PO3]);
    expect(names(orders({ filters: [['order_confirmation_no', 'in', ['OC-1']]] }))).toEqual([PO1]);
  });

  it('= "" and != match NULL; = NULL on a Link or Data field matches nothing', () => {
    expect(names(orders({ filters: { order_confirmation_no: '' } }))).toEqual([PO2, PO3]);
    expect(names(orders({ filters: { order_confirmation_no: ['!=', 'OC-1'] } }))).toEqual([PO2, PO3, PO4]);
    expect(names(orders({ filters: { order_confirmation_no: null } }))).toEqual([]);
  });

  it('is set / is not set', () => {
    expect(names(orders({ filters: [['order_confirmation_no', 'is', 'set']] }))).toEqual([PO1, PO4]);
    expect(names(orders({ filters: [['order_confirmation_no', 'is', 'not set']] }))).toEqual([PO2, PO3]);
    // Numbers are never NULL: "set" means not 0.
    expect(names(orders({ filters: [['grand_total', 'is', 'set']] }))).toEqual([PO1, PO2, PO3]);
    expect(names(orders({ filters: [['grand_total', 'is', 'not set']] }))).toEqual([]);
  });

  it("answers 500 for `is` with another value (Frappe writes `is ''`)", () => {
    const error = failure(() => orders({ filters: [['supplier', 'is', 'Set']] }));
    expect(error.httpStatus).toBe(500);
    expect(error.message).toContain('1064');
  });

  it('compares Date fields as dates', () => {
    expect(names(orders({ filters: { transaction_date: '2026-01-15' } }))).toEqual([PO2]);
    expect(names(orders({ filters: { transaction_date: ['>=', '2026-01-15 08:00:00'] } }))).toEqual([
      PO2,
      PO3,
      PO4,
    ]);
    expect(names(orders({ filters: { transaction_date: ['<', '2026/1/15'] } }))).toEqual([PO1]);
  });

  it('between: inclusive dates; on creation/modified a date spans its whole day', () => {
    expect(
      names(orders({ filters: [['transaction_date', 'between', ['2026-01-10', '2026-01-31']]] })),
    ).toEqual([PO1, PO2, PO4]);
    expect(names(orders({ filters: [['modified', 'between', ['2026-01-20', '2026-01-31']]] }))).toEqual([
      PO2,
      PO4,
    ]);
    // A missing bound is today (2026-01-31 here).
    expect(names(orders({ filters: [['transaction_date', 'between', ['2026-01-15']]] }))).toEqual([PO2, PO4]);
  });

  it('answers 500 for between on a column that is not a date (Frappe builds invalid SQL)', () => {
    const error = failure(() => orders({ filters: [['grand_total', 'between', [1, 100]]] }));
    expect(error.httpStatus).toBe(500);
  });

  it('takes an empty Date filter value for today', () => {
    expect(names(orders({ filters: { transaction_date: '' } }))).toEqual([PO4]);
  });

  it('refuses a date it cannot read, as getdate does', () => {
    const error = failure(() => orders({ filters: { transaction_date: 'soon' } }));
    expect(error.excType).toBe('ValidationError');
    expect(error.httpStatus).toBe(417);
    expect(error.message).toBe('<strong>soon</strong> is not a valid date string.');
    expect(error.messages[0]?.title).toBe('Invalid Date');
  });

  it('compares creation/modified as datetimes', () => {
    expect(names(orders({ filters: [['modified', '>', '2026-01-31']] }))).toEqual([PO3, PO4]);
    expect(names(orders({ filters: { modified: '2026-01-10 09:00:00' } }))).toEqual([PO1]);
  });

  it('compares numeric text against numeric columns numerically', () => {
    expect(names(orders({ filters: { docstatus: '1' } }))).toEqual([PO1]);
    expect(names(orders({ filters: { docstatus: 0 } }))).toEqual([PO2, PO4]);
  });
});

describe('queryList: bad filters', () => {
  it('answers "Field not permitted in query" for an unknown field', () => {
    for (const filters of [{ nope: 1 }, [['nope', '=', 1]], [['Purchase Order Item', 'nope', '=', 1]]]) {
      const error = failure(() => orders({ filters }));
      expect(error.excType).toBe('DataError');
      expect(error.message).toBe('Field not permitted in query: nope');
    }
  });

  it('answers 404 for an unknown doctype in a filter', () => {
    const error = failure(() => orders({ filters: [['Nope', 'item_code', '=', 'x']] }));
    expect(error.excType).toBe('DoesNotExistError');
    expect(error.httpStatus).toBe(404);
    expect(error.message).toBe('DocType Nope not found');
  });

  it('answers 500 for a filter on a doctype that is not a child table', () => {
    const error = failure(() => orders({ filters: [['Supplier', 'supplier_name', '=', 'x']] }));
    expect(error.httpStatus).toBe(500);
    expect(error.message).toBe("(1054, \"Unknown column 'tabSupplier.parenttype' in 'on clause'\")");
  });

  it('answers 500 for a standard name that is no column of the table', () => {
    const error = failure(() => orders({ filters: { parent: 'x' } }));
    expect(error.httpStatus).toBe(500);
    expect(error.message).toBe("(1054, \"Unknown column 'tabPurchase Order.parent' in 'where clause'\")");
  });

  it('answers 404 for a doctype the site does not have', () => {
    const error = failure(() => list('Nope', {}));
    expect(error.excType).toBe('DoesNotExistError');
    expect(error.message).toBe('DocType Nope not found');
  });
});

describe('queryList: large tables', () => {
  const COUNT = 100_000;

  function bigDatabase(): Database {
    const big = new Database();
    const serials: Doc[] = [];
    for (let i = 1; i <= COUNT; i++) {
      const name = `SN-${String(i).padStart(6, '0')}`;
      serials.push({
        doctype: 'Serial No',
        name,
        serial_no: name,
        item_code: `ITEM-${String(i % 50)}`,
        status: 'Active',
      });
    }
    big.restore({ tables: { 'Serial No': serials }, series: {} });
    return big;
  }

  it('looks names up instead of scanning, and scans linearly otherwise', () => {
    const big = bigDatabase().begin();
    const wanted = Array.from({ length: 5_000 }, (_, i) => `sn-${String(i * 20 + 1).padStart(6, '0')}`);
    const run = (raw: Record<string, unknown>) =>
      queryList(big, meta, 'Serial No', parseListArgs(raw, { endpoint: 'get_list' }));

    let started = performance.now();
    expect(run({ filters: { name: 'SN-050000' }, fields: ['name', 'item_code'] })).toEqual([
      { name: 'SN-050000', item_code: 'ITEM-0' },
    ]);
    expect(run({ filters: { name: ['in', wanted] }, limit_page_length: 0 })).toHaveLength(5_000);
    const lookups = performance.now() - started;

    started = performance.now();
    expect(run({ filters: { item_code: 'ITEM-7' }, limit_page_length: 0 })).toHaveLength(COUNT / 50);
    expect(run({ filters: { item_code: ['in', wanted] }, limit_page_length: 0 })).toHaveLength(0);
    const scans = performance.now() - started;

    expect(lookups).toBeLessThan(500);
    expect(scans).toBeLessThan(5_000);
  });
});
