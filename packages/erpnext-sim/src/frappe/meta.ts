/**
 * DocType metadata: the fields of each doctype the simulator knows, as their JSON definitions in
 * frappe/erpnext declare them (erpnext/{buying,stock,setup,accounts}/doctype/<name>/<name>.json),
 * reduced to what Interco's four documents and their master data touch. Labels matter: ERPNext's
 * messages name fields by label.
 */

export type FieldType =
  | 'Data'
  | 'Link'
  | 'Dynamic Link'
  | 'Select'
  | 'Date'
  | 'Time'
  | 'Datetime'
  | 'Int'
  | 'Float'
  | 'Currency'
  | 'Percent'
  | 'Check'
  | 'Small Text'
  | 'Text'
  | 'Long Text'
  | 'Table';

export interface FieldDef {
  fieldname: string;
  label: string;
  fieldtype: FieldType;
  /** Link: the target doctype; Table: the child doctype; Select: the choices, one per line. */
  options?: string;
  reqd?: boolean;
  unique?: boolean;
  default?: unknown;
  readOnly?: boolean;
  noCopy?: boolean;
  /** Allowed on a submitted document (allow_on_submit). */
  allowOnSubmit?: boolean;
  /** Maximum characters of a varchar field (Data, Link, Select); 140 when unset. */
  length?: number;
}

export type Naming =
  | { by: 'series'; series: string }
  | { by: 'field'; field: string }
  | {
      by: 'format';
      format: (
        doc: Record<string, unknown>,
        get: (doctype: string, name: string) => Record<string, unknown> | undefined,
      ) => string;
    }
  | { by: 'hash' };

export interface DocTypeDef {
  name: string;
  module: string;
  fields: FieldDef[];
  naming: Naming;
  istable?: boolean;
  issingle?: boolean;
  isSubmittable?: boolean;
}

const f = (
  fieldname: string,
  label: string,
  fieldtype: FieldType,
  more: Partial<FieldDef> = {},
): FieldDef => ({
  fieldname,
  label,
  fieldtype,
  ...more,
});
const link = (fieldname: string, label: string, target: string, more: Partial<FieldDef> = {}) =>
  f(fieldname, label, 'Link', { options: target, ...more });
const table = (fieldname: string, label: string, child: string, more: Partial<FieldDef> = {}) =>
  f(fieldname, label, 'Table', { options: child, ...more });
const check = (fieldname: string, label: string, dflt = 0) => f(fieldname, label, 'Check', { default: dflt });

/** purchase_receipt.json / delivery_note.json `status`. */
const STOCK_STATUSES = 'Draft\nTo Bill\nCompleted\nReturn Issued\nCancelled\nClosed';

/**
 * custom_field.json `fieldtype`: the 2021 list plus what v15 added (Autocomplete, Icon, JSON,
 * Phone, Tab Break; from memory).
 */
const CUSTOM_FIELD_TYPES = [
  'Autocomplete',
  'Attach',
  'Attach Image',
  'Barcode',
  'Button',
  'Check',
  'Code',
  'Color',
  'Column Break',
  'Currency',
  'Data',
  'Date',
  'Datetime',
  'Duration',
  'Dynamic Link',
  'Float',
  'Fold',
  'Geolocation',
  'Heading',
  'HTML',
  'HTML Editor',
  'Icon',
  'Image',
  'Int',
  'JSON',
  'Link',
  'Long Text',
  'Markdown Editor',
  'Password',
  'Percent',
  'Phone',
  'Read Only',
  'Rating',
  'Section Break',
  'Select',
  'Signature',
  'Small Text',
  'Tab Break',
  'Table',
  'Table MultiSelect',
  'Text',
  'Text Editor',
  'Time',
].join('\n');

const DOCTYPES: DocTypeDef[] = [
  {
    name: 'Company',
    module: 'Setup',
    naming: { by: 'field', field: 'company_name' },
    fields: [
      f('company_name', 'Company', 'Data', { reqd: true }),
      f('abbr', 'Abbr', 'Data', { reqd: true }),
      f('default_currency', 'Default Currency', 'Data', { reqd: true, default: 'USD' }),
      f('country', 'Country', 'Data'),
    ],
  },
  {
    name: 'Warehouse',
    module: 'Stock',
    // erpnext/stock/doctype/warehouse/warehouse.py autoname: "<warehouse_name> - <company abbr>"
    naming: {
      by: 'format',
      format: (doc, get) => {
        const abbr = get('Company', String(doc.company ?? ''))?.abbr;
        const name = String(doc.warehouse_name ?? '').trim();
        return typeof abbr === 'string' && !name.endsWith(` - ${abbr}`) ? `${name} - ${abbr}` : name;
      },
    },
    fields: [
      f('warehouse_name', 'Warehouse Name', 'Data', { reqd: true }),
      link('company', 'Company', 'Company', { reqd: true }),
      link('parent_warehouse', 'Parent Warehouse', 'Warehouse'),
      check('is_group', 'Is Group Warehouse'),
      check('disabled', 'Disabled'),
    ],
  },
  {
    name: 'Item',
    module: 'Stock',
    naming: { by: 'field', field: 'item_code' },
    fields: [
      f('item_code', 'Item Code', 'Data', { reqd: true }),
      f('item_name', 'Item Name', 'Data'),
      f('item_group', 'Item Group', 'Data', { reqd: true, default: 'All Item Groups' }),
      f('stock_uom', 'Default Unit of Measure', 'Data', { reqd: true, default: 'Nos' }),
      check('is_stock_item', 'Maintain Stock', 1),
      check('has_serial_no', 'Has Serial No'),
      check('disabled', 'Disabled'),
    ],
  },
  {
    name: 'Supplier',
    module: 'Buying',
    naming: { by: 'field', field: 'supplier_name' },
    fields: [
      f('supplier_name', 'Supplier Name', 'Data', { reqd: true }),
      f('supplier_group', 'Supplier Group', 'Data', { default: 'All Supplier Groups' }),
      f('default_currency', 'Billing Currency', 'Data'),
      check('disabled', 'Disabled'),
    ],
  },
  {
    name: 'Customer',
    module: 'Selling',
    naming: { by: 'field', field: 'customer_name' },
    fields: [
      f('customer_name', 'Customer Name', 'Data', { reqd: true }),
      f('customer_group', 'Customer Group', 'Data', { default: 'All Customer Groups' }),
      link('default_price_list', 'Default Price List', 'Price List'),
      f('default_currency', 'Billing Currency', 'Data'),
      check('disabled', 'Disabled'),
    ],
  },
  {
    name: 'Price List',
    module: 'Stock',
    naming: { by: 'field', field: 'price_list_name' },
    fields: [
      f('price_list_name', 'Price List Name', 'Data', { reqd: true }),
      f('currency', 'Currency', 'Data', { reqd: true, default: 'USD' }),
      check('buying', 'Buying'),
      check('selling', 'Selling'),
      check('enabled', 'Enabled', 1),
    ],
  },
  {
    name: 'Fiscal Year',
    module: 'Accounts',
    naming: { by: 'field', field: 'year' },
    fields: [
      f('year', 'Year Name', 'Data', { reqd: true }),
      f('year_start_date', 'Year Start Date', 'Date', { reqd: true }),
      f('year_end_date', 'Year End Date', 'Date', { reqd: true }),
      check('disabled', 'Disabled'),
    ],
  },
  {
    name: 'Serial No',
    module: 'Stock',
    naming: { by: 'field', field: 'serial_no' },
    fields: [
      f('serial_no', 'Serial No', 'Data', { reqd: true }),
      link('item_code', 'Item Code', 'Item', { reqd: true }),
      link('warehouse', 'Warehouse', 'Warehouse'),
      link('company', 'Company', 'Company'),
      f('status', 'Status', 'Select', {
        options: '\nActive\nInactive\nConsumed\nDelivered\nExpired',
        default: '',
      }),
      f('purchase_document_no', 'Creation Document No', 'Data'),
      f('delivery_document_no', 'Delivery Document No', 'Data'),
    ],
  },
  {
    name: 'Custom Field',
    module: 'Custom',
    naming: { by: 'format', format: (doc) => `${String(doc.dt)}-${customFieldname(doc)}` },
    fields: [
      f('dt', 'DocType', 'Data', { reqd: true }),
      f('label', 'Label', 'Data'),
      f('fieldname', 'Fieldname', 'Data'),
      f('fieldtype', 'Field Type', 'Select', { reqd: true, default: 'Data', options: CUSTOM_FIELD_TYPES }),
      f('options', 'Options', 'Small Text'),
      f('insert_after', 'Insert After', 'Data'),
      f('length', 'Length', 'Int'),
      f('default', 'Default Value', 'Text'),
      check('reqd', 'Is Mandatory Field'),
      check('unique', 'Unique'),
      check('read_only', 'Read Only'),
      check('no_copy', 'No Copy'),
      check('search_index', 'Index'),
      check('allow_on_submit', 'Allow on Submit'),
    ],
  },
  {
    name: 'Purchase Order',
    module: 'Buying',
    isSubmittable: true,
    naming: { by: 'series', series: 'PUR-ORD-.YYYY.-' },
    fields: [
      link('supplier', 'Supplier', 'Supplier', { reqd: true }),
      f('transaction_date', 'Date', 'Date', { reqd: true, default: 'Today' }),
      f('schedule_date', 'Required By', 'Date'),
      link('company', 'Company', 'Company', { reqd: true }),
      link('set_warehouse', 'Set Target Warehouse', 'Warehouse'),
      f('currency', 'Currency', 'Data'),
      f('order_confirmation_no', 'Order Confirmation No', 'Data', { allowOnSubmit: true }),
      f('status', 'Status', 'Select', {
        // purchase_order.json
        options:
          'Draft\nOn Hold\nTo Receive and Bill\nTo Bill\nTo Receive\nCompleted\nCancelled\nClosed\nDelivered',
        default: 'Draft',
        readOnly: true,
        noCopy: true,
      }),
      f('per_received', '% Received', 'Percent', { readOnly: true, noCopy: true, default: 0 }),
      f('total_qty', 'Total Quantity', 'Float', { readOnly: true }),
      f('grand_total', 'Grand Total', 'Currency', { readOnly: true }),
      table('items', 'Items', 'Purchase Order Item', { reqd: true }),
      link('amended_from', 'Amended From', 'Purchase Order', { readOnly: true, noCopy: true }),
    ],
  },
  {
    name: 'Purchase Order Item',
    module: 'Buying',
    istable: true,
    naming: { by: 'hash' },
    fields: [
      link('item_code', 'Item Code', 'Item', { reqd: true }),
      f('item_name', 'Item Name', 'Data'),
      f('schedule_date', 'Required By', 'Date', { reqd: true }),
      f('qty', 'Quantity', 'Float', { reqd: true }),
      f('uom', 'UOM', 'Data'),
      f('conversion_factor', 'UOM Conversion Factor', 'Float', { default: 1 }),
      f('stock_qty', 'Qty in Stock UOM', 'Float', { readOnly: true }),
      f('rate', 'Rate', 'Currency', { default: 0 }),
      f('amount', 'Amount', 'Currency', { readOnly: true }),
      link('warehouse', 'Target Warehouse', 'Warehouse'),
      f('received_qty', 'Received Qty', 'Float', { readOnly: true, noCopy: true, default: 0 }),
    ],
  },
  {
    name: 'Purchase Receipt',
    module: 'Stock',
    isSubmittable: true,
    naming: { by: 'series', series: 'MAT-PRE-.YYYY.-' },
    fields: [
      link('supplier', 'Supplier', 'Supplier', { reqd: true }),
      f('posting_date', 'Date', 'Date', { reqd: true, default: 'Today' }),
      f('posting_time', 'Posting Time', 'Time', { reqd: true, default: 'Now' }),
      check('set_posting_time', 'Edit Posting Date and Time'),
      link('company', 'Company', 'Company', { reqd: true }),
      link('set_warehouse', 'Accepted Warehouse', 'Warehouse'),
      f('currency', 'Currency', 'Data'),
      f('supplier_delivery_note', 'Supplier Delivery Note', 'Data'),
      f('remarks', 'Remarks', 'Small Text'),
      f('status', 'Status', 'Select', {
        options: STOCK_STATUSES,
        default: 'Draft',
        readOnly: true,
        noCopy: true,
      }),
      f('total_qty', 'Total Quantity', 'Float', { readOnly: true }),
      f('grand_total', 'Grand Total', 'Currency', { readOnly: true }),
      table('items', 'Items', 'Purchase Receipt Item', { reqd: true }),
      link('amended_from', 'Amended From', 'Purchase Receipt', { readOnly: true, noCopy: true }),
    ],
  },
  {
    name: 'Purchase Receipt Item',
    module: 'Stock',
    istable: true,
    naming: { by: 'hash' },
    fields: [
      link('item_code', 'Item Code', 'Item', { reqd: true }),
      f('item_name', 'Item Name', 'Data'),
      f('qty', 'Accepted Quantity', 'Float', { default: 0 }),
      f('received_qty', 'Received Quantity', 'Float', { default: 0 }),
      f('uom', 'UOM', 'Data'),
      f('conversion_factor', 'Conversion Factor', 'Float', { default: 1 }),
      f('stock_qty', 'Accepted Qty in Stock UOM', 'Float', { readOnly: true }),
      f('rate', 'Rate', 'Currency', { default: 0 }),
      f('amount', 'Amount', 'Currency', { readOnly: true }),
      link('warehouse', 'Accepted Warehouse', 'Warehouse'),
      f('serial_no', 'Serial No', 'Text'),
      link('purchase_order', 'Purchase Order', 'Purchase Order', { readOnly: true }),
      f('purchase_order_item', 'Purchase Order Item', 'Data', { readOnly: true }),
    ],
  },
  {
    name: 'Delivery Note',
    module: 'Stock',
    isSubmittable: true,
    naming: { by: 'series', series: 'MAT-DN-.YYYY.-' },
    fields: [
      link('customer', 'Customer', 'Customer', { reqd: true }),
      f('posting_date', 'Date', 'Date', { reqd: true, default: 'Today' }),
      f('posting_time', 'Posting Time', 'Time', { reqd: true, default: 'Now' }),
      check('set_posting_time', 'Edit Posting Date and Time'),
      link('company', 'Company', 'Company', { reqd: true }),
      link('set_warehouse', 'Set Source Warehouse', 'Warehouse'),
      f('currency', 'Currency', 'Data'),
      link('selling_price_list', 'Price List', 'Price List', { reqd: true }),
      f('po_no', "Customer's Purchase Order", 'Data', { allowOnSubmit: true }),
      f('status', 'Status', 'Select', {
        options: STOCK_STATUSES,
        default: 'Draft',
        readOnly: true,
        noCopy: true,
      }),
      f('total_qty', 'Total Quantity', 'Float', { readOnly: true }),
      f('grand_total', 'Grand Total', 'Currency', { readOnly: true }),
      table('items', 'Items', 'Delivery Note Item', { reqd: true }),
      link('amended_from', 'Amended From', 'Delivery Note', { readOnly: true, noCopy: true }),
    ],
  },
  {
    name: 'Delivery Note Item',
    module: 'Stock',
    istable: true,
    naming: { by: 'hash' },
    fields: [
      link('item_code', 'Item Code', 'Item', { reqd: true }),
      f('item_name', 'Item Name', 'Data'),
      f('qty', 'Quantity', 'Float', { reqd: true }),
      f('uom', 'UOM', 'Data'),
      f('conversion_factor', 'UOM Conversion Factor', 'Float', { default: 1 }),
      f('stock_qty', 'Qty in Stock UOM', 'Float', { readOnly: true }),
      f('rate', 'Rate', 'Currency', { default: 0 }),
      f('amount', 'Amount', 'Currency', { readOnly: true }),
      link('warehouse', 'Source Warehouse', 'Warehouse'),
      f('serial_no', 'Serial No', 'Text'),
      f('against_sales_order', 'Against Sales Order', 'Data'),
    ],
  },
  {
    name: 'Buying Settings',
    module: 'Buying',
    issingle: true,
    naming: { by: 'field', field: 'doctype' },
    fields: [
      f('po_required', 'Is Purchase Order Required for Purchase Invoice & Receipt Creation?', 'Select', {
        options: 'No\nYes',
        default: 'No',
      }),
      f('pr_required', 'Is Purchase Receipt Required for Purchase Invoice Creation?', 'Select', {
        options: 'No\nYes',
        default: 'No',
      }),
      // the JSON default is 0, but ERPNext's setup wizard sets it to 1 on every set-up site
      check('allow_multiple_items', 'Allow Item to be Added Multiple Times in a Transaction', 1),
    ],
  },
  {
    name: 'Selling Settings',
    module: 'Selling',
    issingle: true,
    naming: { by: 'field', field: 'doctype' },
    fields: [
      f('so_required', 'Is Sales Order Required for Sales Invoice & Delivery Note Creation?', 'Select', {
        options: 'No\nYes',
        default: 'No',
      }),
      f('dn_required', 'Is Delivery Note Required for Sales Invoice Creation?', 'Select', {
        options: 'No\nYes',
        default: 'No',
      }),
      link('selling_price_list', 'Default Price List', 'Price List'),
      check('allow_multiple_items', 'Allow Item to Be Added Multiple Times in a Transaction', 1),
    ],
  },
  {
    name: 'Stock Settings',
    module: 'Stock',
    issingle: true,
    naming: { by: 'field', field: 'doctype' },
    fields: [
      f('stock_frozen_upto', 'Stock Frozen Up To', 'Date'),
      f('over_delivery_receipt_allowance', 'Over Delivery/Receipt Allowance (%)', 'Float', { default: 0 }),
      check('allow_negative_stock', 'Allow Negative Stock'),
      check('enable_serial_and_batch_no_for_item', 'Enable Serial / Batch No for Item', 1),
      check('allow_existing_serial_no', 'Allow existing Serial No to be Manufactured/Received again'),
    ],
  },
];

/** Fieldnames a Custom Field may not take as they are: set_fieldname appends "1". */
const RESTRICTED_FIELDNAMES = new Set([
  'name',
  'parent',
  'creation',
  'modified',
  'modified_by',
  'parentfield',
  'parenttype',
  'file_list',
  'flags',
  'docstatus',
]);

/**
 * A Custom Field's fieldname (frappe/custom/doctype/custom_field/custom_field.py set_fieldname,
 * v15): a given fieldname is only lowercased; otherwise the label with spaces turned into "_",
 * every character that is not a letter, a digit or "_" dropped (not replaced; repeated "_" kept),
 * "custom_" in front, all lowercased. "Interco Transfer-Id" -> custom_interco_transferid. A name
 * among the restricted ones gets "1" appended. Python's isalpha/isdigit are read as Unicode
 * letters and decimal digits. Empty when there is neither a fieldname nor a label.
 */
export function customFieldname(doc: Record<string, unknown>): string {
  let fieldname: string;
  if (typeof doc.fieldname === 'string' && doc.fieldname !== '') fieldname = doc.fieldname;
  else {
    const label = typeof doc.label === 'string' ? doc.label : '';
    if (label === '') return '';
    fieldname = `custom_${[...label.replace(/ /g, '_')].filter((c) => /^[\p{L}\p{Nd}_]$/u.test(c)).join('')}`;
  }
  fieldname = fieldname.toLowerCase();
  return RESTRICTED_FIELDNAMES.has(fieldname) ? `${fieldname}1` : fieldname;
}

/** Standard fields every document has (frappe/model/__init__.py default_fields). */
export const STANDARD_FIELDS = ['name', 'owner', 'creation', 'modified', 'modified_by', 'docstatus', 'idx'];
/** And every child row (child_table_fields). */
export const CHILD_FIELDS = ['parent', 'parentfield', 'parenttype'];

/** The metadata of one site: the standard doctypes plus the Custom Fields inserted on it. */
export class Meta {
  readonly #doctypes = new Map<string, DocTypeDef>(
    DOCTYPES.map((d) => [d.name, { ...d, fields: d.fields.map((field) => ({ ...field })) }]),
  );
  /** The fieldnames addCustomField added, by doctype. */
  readonly #custom = new Map<string, Set<string>>();

  has(doctype: string): boolean {
    return this.#doctypes.has(doctype);
  }

  get(doctype: string): DocTypeDef | undefined {
    return this.#doctypes.get(doctype);
  }

  all(): DocTypeDef[] {
    return [...this.#doctypes.values()];
  }

  field(doctype: string, fieldname: string): FieldDef | undefined {
    return this.#doctypes.get(doctype)?.fields.find((field) => field.fieldname === fieldname);
  }

  /**
   * Adds a Custom Field to a doctype (frappe/custom/doctype/custom_field: it becomes a column),
   * replacing a field of the same name; `clearCustomFields` takes it away again.
   */
  addCustomField(doctype: string, field: FieldDef): void {
    const def = this.#doctypes.get(doctype);
    if (def === undefined) return;
    def.fields = def.fields.filter((existing) => existing.fieldname !== field.fieldname);
    def.fields.push(field);
    const added = this.#custom.get(doctype) ?? new Set<string>();
    added.add(field.fieldname);
    this.#custom.set(doctype, added);
  }

  removeCustomField(doctype: string, fieldname: string): void {
    const def = this.#doctypes.get(doctype);
    if (def !== undefined) def.fields = def.fields.filter((field) => field.fieldname !== fieldname);
    this.#custom.get(doctype)?.delete(fieldname);
  }

  /** Removes every field addCustomField added, whatever its name. */
  clearCustomFields(): void {
    for (const [doctype, fieldnames] of this.#custom) {
      for (const fieldname of [...fieldnames]) this.removeCustomField(doctype, fieldname);
    }
    this.#custom.clear();
  }

  /** Fields whose values must be unique in their table (standard and custom). */
  uniqueFields(doctype: string): FieldDef[] {
    return this.#doctypes.get(doctype)?.fields.filter((field) => field.unique) ?? [];
  }
}
