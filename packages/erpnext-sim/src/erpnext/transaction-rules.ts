import { nameKey } from '@interco/contracts';
import type { RequestContext } from '../frappe/context.js';
import type { Doc } from '../frappe/database.js';
import { doctypeOf, getSingle } from '../frappe/document.js';
import { FrappeError, frappeThrow, plainMessage } from '../frappe/errors.js';
import { type SerialRow, splitSerials } from './serial-ledger.js';

/**
 * Rules the buying and stock documents share (erpnext/controllers/accounts_controller.py,
 * buying_controller.py, selling_controller.py, stock_controller.py, erpnext/stock/utils.py).
 */

export function items(doc: Doc): Doc[] {
  return Array.isArray(doc.items) ? (doc.items as Doc[]) : [];
}

export function settings(ctx: RequestContext, doctype: string): Doc {
  return getSingle(ctx, doctypeOf(ctx, doctype));
}

/** Fills what ERPNext fills from master data: item names, UOM, stock qty, amounts, totals, warehouses. */
export function fillItemDetails(ctx: RequestContext, doc: Doc, defaultWarehouseField: string): void {
  let totalQty = 0;
  let grandTotal = 0;
  for (const row of items(doc)) {
    const item = row.item_code ? ctx.txn.get('Item', String(row.item_code)) : undefined;
    if (item !== undefined) {
      row.item_code = item.name;
      row.item_name ??= item.item_name ?? item.name;
      row.uom ??= item.stock_uom;
    }
    row.conversion_factor = Number(row.conversion_factor ?? 1) || 1;
    const qty = Number(row.qty ?? 0);
    row.stock_qty = qty * Number(row.conversion_factor);
    row.amount = Math.round(qty * Number(row.rate ?? 0) * 100) / 100;
    if (!row.warehouse && doc[defaultWarehouseField]) row.warehouse = doc[defaultWarehouseField];
    totalQty += qty;
    grandTotal += Number(row.amount);
  }
  doc.total_qty = totalQty;
  doc.grand_total = Math.round(grandTotal * 100) / 100;
  if (!doc.currency) {
    const company = doc.company ? ctx.txn.get('Company', String(doc.company)) : undefined;
    if (company?.default_currency) doc.currency = company.default_currency;
  }
}

/** Every item must exist, be enabled and (for stock documents) be a stock item. */
export function checkItems(ctx: RequestContext, doc: Doc): void {
  for (const row of items(doc)) {
    const item = ctx.txn.get('Item', String(row.item_code));
    if (item?.disabled) frappeThrow(`Item ${String(item.name)} is disabled`, 'ValidationError');
  }
}

/**
 * erpnext/utilities/transaction_base.py validate_uom_is_integer and the buying/selling "same item
 * twice" rule: refused unless the settings allow multiple items.
 */
export function checkRepeatedItems(ctx: RequestContext, doc: Doc, settingsDoctype: string): void {
  if (settings(ctx, settingsDoctype).allow_multiple_items) return;
  const seen = new Set<string>();
  for (const row of items(doc)) {
    const key = nameKey(String(row.item_code));
    if (seen.has(key)) frappeThrow('Same item cannot be entered multiple times.', 'ValidationError');
    seen.add(key);
  }
}

/** erpnext/stock/utils.py validate_warehouse_company. */
export function checkWarehouseCompany(ctx: RequestContext, doc: Doc): void {
  const warehouses = new Set<string>();
  for (const row of items(doc)) if (row.warehouse) warehouses.add(String(row.warehouse));
  if (doc.set_warehouse) warehouses.add(String(doc.set_warehouse));
  for (const name of warehouses) {
    const warehouse = ctx.txn.get('Warehouse', name);
    if (warehouse === undefined) continue;
    if (nameKey(String(warehouse.company)) !== nameKey(String(doc.company))) {
      frappeThrow(
        `Warehouse ${String(warehouse.name)} does not belong to company ${String(doc.company)}`,
        'InvalidWarehouseCompany',
      );
    }
    if (warehouse.is_group) {
      frappeThrow(
        `Group node warehouse is not allowed to select for transactions: ${String(warehouse.name)}`,
        'ValidationError',
      );
    }
  }
}

/** erpnext/buying/utils.py validate_for_items: a stock item row needs a warehouse. */
export function requireRowWarehouses(ctx: RequestContext, doc: Doc): void {
  for (const row of items(doc)) {
    const item = ctx.txn.get('Item', String(row.item_code));
    if (item?.is_stock_item && !row.warehouse) {
      frappeThrow(
        `Row #${String(row.idx)}: Warehouse is mandatory for stock Item <strong>${String(item.name)}</strong>`,
      );
    }
  }
}

/**
 * erpnext/accounts/utils.py get_fiscal_years, as the stock ledger calls it on submit: the posting
 * date must fall in an enabled Fiscal Year; the message is shown, then FiscalYearError raised.
 */
export function checkFiscalYear(ctx: RequestContext, date: unknown, company: unknown): void {
  const day = String(date ?? '');
  for (const year of ctx.txn.scan('Fiscal Year')) {
    if (year.disabled) continue;
    if (String(year.year_start_date) <= day && day <= String(year.year_end_date)) return;
  }
  const message = `Date ${formatDate(day)} is not in any active Fiscal Year for <strong>${String(company)}</strong>`;
  throw new FrappeError('FiscalYearError', message, [plainMessage(message)]);
}

/** erpnext/stock/stock_ledger.py: no posting on or before Stock Settings' stock_frozen_upto. */
export function checkStockFrozen(ctx: RequestContext, postingDate: unknown): void {
  const frozen = settings(ctx, 'Stock Settings').stock_frozen_upto;
  if (typeof frozen === 'string' && frozen !== '' && String(postingDate) <= frozen) {
    frappeThrow(`Stock transactions before ${formatDate(frozen)} are frozen`, 'StockFreezeError');
  }
}

/** The serial numbers of each row, with its item. */
export function serialRows(ctx: RequestContext, doc: Doc): SerialRow[] {
  const out: SerialRow[] = [];
  for (const row of items(doc)) {
    const item = ctx.txn.get('Item', String(row.item_code));
    if (item === undefined) continue;
    out.push({ row, item, serials: splitSerials(row.serial_no) });
  }
  return out;
}

/** Posting date and time are the server's now unless the document sets set_posting_time. */
export function setPostingTime(ctx: RequestContext, doc: Doc, today: string, now: string): void {
  if (!doc.set_posting_time) {
    doc.posting_date = today;
    doc.posting_time = now;
  }
  void ctx;
}

/** frappe.utils.formatdate with the default system date format (dd-mm-yyyy). */
export function formatDate(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return match ? `${match[3]}-${match[2]}-${match[1]}` : date;
}

/**
 * v16 (the reference marks it unverified): with Stock Settings' enable_serial_and_batch_no_for_item
 * off, serial numbers cannot be entered at all. The message is the simulator's wording.
 */
export function checkSerialSetting(ctx: RequestContext, rows: SerialRow[]): void {
  if (settings(ctx, 'Stock Settings').enable_serial_and_batch_no_for_item) return;
  if (rows.some((row) => row.serials.length > 0)) {
    frappeThrow(
      'Serial and Batch No are disabled: enable "Enable Serial / Batch No for Item" in Stock Settings to enter serial numbers',
    );
  }
}
