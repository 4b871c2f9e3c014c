import { nameKey, type TransferRequest } from '@interco/contracts';
import type { ErpnextRow } from '../client/erpnext-client.js';
import type { PreflightCheck, PreflightInstance, PreflightProblem } from './report.js';
import type { PermissionAnswer, RowsByName } from './site-reader.js';

/**
 * The preflight's checks, as pure functions of what the reads found: each adds the problems it
 * sees to a ProblemList and never throws. `undefined` for a read means it failed (already reported
 * as `read_failed`): the checks needing it are skipped rather than guessed.
 */

export class ProblemList {
  readonly problems: PreflightProblem[] = [];
  readonly instance: PreflightInstance;
  /** How messages name the instance, e.g. `instance A (erp-a)`. */
  readonly where: string;

  constructor(instance: PreflightInstance, instanceId: string) {
    this.instance = instance;
    this.where = `instance ${instance.toUpperCase()} (${instanceId})`;
  }

  add(check: PreflightCheck, message: string, path?: string): void {
    this.problems.push({
      instance: this.instance,
      check,
      ...(path === undefined ? {} : { path }),
      message,
    });
  }
}

/** A Check field as ERPNext answers it (0/1), or a boolean. */
export function flag(row: ErpnextRow | undefined, field: string): boolean {
  const value = row?.[field];
  return value === true || value === 1 || value === '1';
}

/** A non-empty text field. */
export function text(row: ErpnextRow | undefined, field: string): string | undefined {
  const value = row?.[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The row named `name` (compared as ERPNext compares names). */
export function find(rows: RowsByName, name: string): ErpnextRow | undefined {
  return rows.get(nameKey(name));
}

/** The record's own spelling of its name. */
function nameOf(row: ErpnextRow, fallback: string): string {
  return text(row, 'name') ?? fallback;
}

export function checkCompany(
  list: ProblemList,
  companies: RowsByName | undefined,
  name: string,
  path: string,
): ErpnextRow | undefined {
  if (companies === undefined) return undefined;
  const row = find(companies, name);
  if (row === undefined) {
    list.add(
      'company_missing',
      `Company "${name}" does not exist in ${list.where}: create it there or correct ${path}.`,
      path,
    );
  }
  return row;
}

/** The warehouse must exist, belong to `company` (when known), be a leaf and be enabled. */
export function checkWarehouse(
  list: ProblemList,
  warehouses: RowsByName | undefined,
  name: string,
  path: string,
  company: string | undefined,
): ErpnextRow | undefined {
  if (warehouses === undefined) return undefined;
  const row = find(warehouses, name);
  if (row === undefined) {
    list.add(
      'warehouse_missing',
      `Warehouse "${name}" does not exist in ${list.where}: create it or correct ${path} (a warehouse's name ends with its company's abbreviation, as in "Stores - CA").`,
      path,
    );
    return undefined;
  }
  const owner = text(row, 'company');
  if (company !== undefined && (owner === undefined || nameKey(owner) !== nameKey(company))) {
    list.add(
      'warehouse_wrong_company',
      `Warehouse "${nameOf(row, name)}" in ${list.where} belongs to company "${owner ?? '(none)'}", not "${company}": ERPNext refuses it (InvalidWarehouseCompany); pick a warehouse of "${company}" for ${path}.`,
      path,
    );
  }
  if (flag(row, 'is_group')) {
    list.add(
      'warehouse_is_group',
      `Warehouse "${nameOf(row, name)}" in ${list.where} is a group warehouse, which transactions cannot use: pick one of the warehouses under it for ${path}.`,
      path,
    );
  }
  if (flag(row, 'disabled')) {
    list.add(
      'warehouse_disabled',
      `Warehouse "${nameOf(row, name)}" in ${list.where} is disabled: enable it or pick another for ${path}.`,
      path,
    );
  }
  return row;
}

/** Every item must exist, be enabled, be a stock item and have serial numbers. */
export function checkItems(
  list: ProblemList,
  items: RowsByName | undefined,
  manifest: TransferRequest,
): void {
  if (items === undefined) return;
  manifest.items.forEach((item, i) => {
    const path = `items[${i}].item_code`;
    const row = find(items, item.item_code);
    if (row === undefined) {
      list.add(
        'item_missing',
        `Item "${item.item_code}" does not exist in ${list.where}: create it (a stock item with Has Serial No) or correct ${path}.`,
        path,
      );
      return;
    }
    const name = nameOf(row, item.item_code);
    if (flag(row, 'disabled')) {
      list.add('item_disabled', `Item "${name}" is disabled in ${list.where}: enable it.`, path);
    }
    if (!flag(row, 'is_stock_item')) {
      list.add(
        'item_not_stock',
        `Item "${name}" in ${list.where} is not a stock item (Maintain Stock is off): turn Maintain Stock on, receipts and deliveries move its stock.`,
        path,
      );
    }
    if (!flag(row, 'has_serial_no')) {
      list.add(
        'item_not_serialized',
        `Item "${name}" in ${list.where} does not have serial numbers (Has Serial No is off), so ERPNext refuses the transfer's serials for it: turn Has Serial No on.`,
        path,
      );
    }
  });
}

/** A Supplier or Customer: must exist and be enabled. */
export function checkParty(
  list: ProblemList,
  doctype: 'Supplier' | 'Customer',
  rows: RowsByName | undefined,
  name: string,
  path: string,
): ErpnextRow | undefined {
  if (rows === undefined) return undefined;
  const row = find(rows, name);
  const [missing, disabled]: [PreflightCheck, PreflightCheck] =
    doctype === 'Supplier'
      ? ['supplier_missing', 'supplier_disabled']
      : ['customer_missing', 'customer_disabled'];
  if (row === undefined) {
    list.add(
      missing,
      `${doctype} "${name}" does not exist in ${list.where}: create it or correct ${path}.`,
      path,
    );
    return undefined;
  }
  if (flag(row, 'disabled')) {
    list.add(disabled, `${doctype} "${nameOf(row, name)}" is disabled in ${list.where}: enable it.`, path);
  }
  return row;
}

/** Where the Delivery Note's selling price list comes from. */
export interface PriceListChoice {
  name: string;
  source: string;
}

/**
 * The price list A's Delivery Note resolves to: the customer's Default Price List, else Selling
 * Settings' Default Price List (as selling_controller.py set_missing_values does, except that a
 * Customer Group's default, which ERPNext reads between the two, is not read: see README.md).
 * Undefined when a read it needs failed, or when neither is set.
 */
export function choosePriceList(
  customer: ErpnextRow | undefined,
  customersRead: boolean,
  selling: ErpnextRow | undefined,
): PriceListChoice | undefined {
  const own = text(customer, 'default_price_list');
  if (own !== undefined) return { name: own, source: "the customer's Default Price List" };
  if (!customersRead || selling === undefined) return undefined;
  const fallback = text(selling, 'selling_price_list');
  return fallback === undefined
    ? undefined
    : { name: fallback, source: "Selling Settings' Default Price List" };
}

/** The price list must resolve, exist, be enabled and be a selling list; answers its name when usable. */
export function checkPriceList(
  list: ProblemList,
  customerName: string,
  choice: PriceListChoice | undefined,
  canResolve: boolean,
  priceLists: RowsByName | undefined,
  path: string,
): string | undefined {
  if (choice === undefined) {
    if (canResolve) {
      list.add(
        'price_list_missing',
        `No selling price list resolves for Customer "${customerName}" in ${list.where}: neither the customer's Default Price List nor Selling Settings' Default Price List is set, and the Delivery Note needs one. Check the customer's Customer Group too: preflight does not read Customer Groups, and if the group has a Default Price List ERPNext uses it, so this problem may be a false alarm. Either way, setting the price list on the customer (or in Selling Settings) resolves it.`,
        path,
      );
    }
    return undefined;
  }
  if (priceLists === undefined) return undefined;
  const row = find(priceLists, choice.name);
  if (row === undefined) {
    list.add(
      'price_list_not_found',
      `Price List "${choice.name}" (${choice.source}, for Customer "${customerName}") does not exist in ${list.where}: create it or name another.`,
      path,
    );
    return undefined;
  }
  const name = nameOf(row, choice.name);
  let usable = true;
  if (!flag(row, 'enabled')) {
    usable = false;
    list.add(
      'price_list_disabled',
      `Price List "${name}" (${choice.source}, for Customer "${customerName}") is disabled in ${list.where}: enable it or name another.`,
      path,
    );
  }
  if (!flag(row, 'selling')) {
    usable = false;
    list.add(
      'price_list_not_selling',
      `Price List "${name}" (${choice.source}, for Customer "${customerName}") in ${list.where} is not a selling price list: tick Selling on it or name a selling list.`,
      path,
    );
  }
  return usable ? name : undefined;
}

/** An enabled Fiscal Year must cover today (the rows read are those whose dates cover it). */
export function checkFiscalYear(
  list: ProblemList,
  years: readonly ErpnextRow[] | undefined,
  today: string,
): void {
  if (years === undefined) return;
  const covering = years.filter(
    (year) =>
      !flag(year, 'disabled') &&
      (text(year, 'year_start_date') ?? '9999') <= today &&
      today <= (text(year, 'year_end_date') ?? ''),
  );
  if (covering.length === 0) {
    list.add(
      'fiscal_year_missing',
      `No enabled Fiscal Year in ${list.where} covers today (${today}), so every posting would be refused (FiscalYearError): create the Fiscal Year.`,
    );
  }
}

/** The marker Custom Field `<doctype>-<fieldname>` must exist on each doctype and be unique. */
export function checkMarkerFields(
  list: ProblemList,
  customFields: readonly ErpnextRow[] | undefined,
  doctypes: readonly string[],
  fieldname: string,
): void {
  if (customFields === undefined) return;
  for (const doctype of doctypes) {
    const row = customFields.find(
      (field) =>
        nameKey(text(field, 'dt') ?? '') === nameKey(doctype) &&
        (text(field, 'fieldname') ?? '').toLowerCase() === fieldname.toLowerCase(),
    );
    const name = `${doctype}-${fieldname}`;
    if (row === undefined) {
      list.add(
        'marker_field_missing',
        `The marker field ${fieldname} is not installed on ${doctype} in ${list.where} (no Custom Field "${name}"): install it (prepare) before any transfer, it is what keeps each document from being made twice.`,
      );
    } else if (!flag(row, 'unique')) {
      list.add(
        'marker_field_not_unique',
        `Custom Field "${nameOf(row, name)}" in ${list.where} is not unique, so ERPNext would not refuse a second document with the same marker: tick Unique on it.`,
      );
    }
  }
}

/** Selling Settings so_required = Yes: A's Delivery Note (no Sales Order) is refused. */
export function checkSalesOrderRequired(list: ProblemList, selling: ErpnextRow | undefined): void {
  if (text(selling, 'so_required') === 'Yes') {
    list.add(
      'so_required',
      `Selling Settings in ${list.where} require a Sales Order for every Delivery Note (so_required = Yes), and the transfer's Delivery Note has none: set "Is Sales Order Required" to No.`,
    );
  }
}

/** Buying Settings po_required = Yes: B's Purchase Receipt (no Purchase Order) is refused. */
export function checkPurchaseOrderRequired(list: ProblemList, buying: ErpnextRow | undefined): void {
  if (text(buying, 'po_required') === 'Yes') {
    list.add(
      'po_required',
      `Buying Settings in ${list.where} require a Purchase Order for every Purchase Receipt (po_required = Yes), and the transfer's Purchase Receipt there has none: set "Is Purchase Order Required" to No.`,
    );
  }
}

/** Stock Settings: no freeze covering today; serial numbers enabled (v16). */
export function checkStockSettings(list: ProblemList, stock: ErpnextRow | undefined, today: string): void {
  if (stock === undefined) return;
  const frozen = text(stock, 'stock_frozen_upto');
  if (frozen !== undefined && frozen.slice(0, 10) >= today) {
    list.add(
      'stock_frozen',
      `Stock Settings in ${list.where} freeze stock up to ${frozen.slice(0, 10)} (stock_frozen_upto), which covers today (${today}), so every stock posting would be refused: move the date before today or clear it.`,
    );
  }
  // absent on sites before v16: only an explicit 0 blocks
  const serials = stock.enable_serial_and_batch_no_for_item;
  if (serials === 0 || serials === false || serials === '0') {
    list.add(
      'serial_setting_disabled',
      `Stock Settings in ${list.where} have "Enable Serial / Batch No for Item" off (enable_serial_and_batch_no_for_item = 0), so ERPNext v16 refuses serial numbers: turn it on.`,
    );
  }
}

/** The API user must be allowed to submit and cancel each document the transfer makes there. */
export function checkPermissions(
  list: ProblemList,
  answers: readonly PermissionAnswer[],
  user: string,
): void {
  for (const { doctype, permType, allowed } of answers) {
    if (allowed !== false) continue;
    const word = permType === 'submit' ? 'Submit' : 'Cancel';
    const why = permType === 'submit' ? 'the transfer submits it' : 'undoing a failed transfer cancels it';
    list.add(
      permType === 'submit' ? 'submit_not_permitted' : 'cancel_not_permitted',
      `The API user ${user} may not ${permType} ${doctype} in ${list.where}, and ${why}: give one of the user's roles the ${word} permission on ${doctype}.`,
    );
  }
}
