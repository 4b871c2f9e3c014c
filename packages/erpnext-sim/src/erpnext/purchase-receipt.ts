import { nameKey } from '@interco/contracts';
import type { Controller, RequestContext } from '../frappe/context.js';
import { frappeDate, frappeTime } from '../frappe/context.js';
import type { Doc } from '../frappe/database.js';
import { frappeThrow } from '../frappe/errors.js';
import { updatePurchaseOrderStatus } from './purchase-order.js';
import { checkSerialRows, receiveSerials, reverseReceipt } from './serial-ledger.js';
import {
  checkFiscalYear,
  checkItems,
  checkRepeatedItems,
  checkSerialSetting,
  checkStockFrozen,
  checkWarehouseCompany,
  fillItemDetails,
  items,
  requireRowWarehouses,
  serialRows,
  setPostingTime,
  settings,
} from './transaction-rules.js';

/** erpnext/stock/doctype/purchase_receipt/purchase_receipt.py (with buying and stock controllers). */
export const purchaseReceipt: Controller = {
  beforeValidate(ctx, doc) {
    setPostingTime(ctx, doc, frappeDate(ctx.now), frappeTime(ctx.now));
    for (const row of items(doc)) if (!row.received_qty) row.received_qty = row.qty;
    fillItemDetails(ctx, doc, 'set_warehouse');
  },
  validate(ctx, doc) {
    checkItems(ctx, doc);
    requireRowWarehouses(ctx, doc);
    checkRepeatedItems(ctx, doc, 'Buying Settings');
    checkWarehouseCompany(ctx, doc);
    // purchase_receipt.py: po_required in Buying Settings
    if (settings(ctx, 'Buying Settings').po_required === 'Yes') {
      for (const row of items(doc)) {
        if (!row.purchase_order)
          frappeThrow(`Purchase Order number required for Item ${String(row.item_code)}`);
      }
    }
    for (const row of items(doc)) checkAgainstOrder(ctx, doc, row);
    checkSerialSetting(ctx, serialRows(ctx, doc));
    checkSerialRows(ctx, serialRows(ctx, doc));
    doc.status = doc.docstatus === 1 ? 'To Bill' : 'Draft';
  },
  onSubmit(ctx, doc) {
    checkFiscalYear(ctx, doc.posting_date, doc.company);
    checkStockFrozen(ctx, doc.posting_date);
    const allowExisting = Boolean(settings(ctx, 'Stock Settings').allow_existing_serial_no);
    receiveSerials(ctx, doc, serialRows(ctx, doc), allowExisting);
    updateReceivedQty(ctx, doc, +1);
  },
  onCancel(ctx, doc) {
    checkStockFrozen(ctx, doc.posting_date);
    reverseReceipt(ctx, serialRows(ctx, doc), doc.modified);
    updateReceivedQty(ctx, doc, -1);
    doc.status = 'Cancelled';
    ctx.txn.put(doc);
  },
};

/** A row received against an order must name a submitted order of the same supplier and company. */
function checkAgainstOrder(ctx: RequestContext, doc: Doc, row: Doc): void {
  if (!row.purchase_order) return;
  const order = ctx.txn.get('Purchase Order', String(row.purchase_order));
  if (order === undefined) return; // the link check reports it
  if (order.docstatus !== 1)
    frappeThrow(`Purchase Order ${String(order.name)} is not submitted`, 'ValidationError');
  if (nameKey(String(order.supplier)) !== nameKey(String(doc.supplier))) {
    frappeThrow(
      `Row #${String(row.idx)}: Supplier ${String(doc.supplier)} does not match the Purchase Order ${String(order.name)} supplier ${String(order.supplier)}`,
    );
  }
  if (nameKey(String(order.company)) !== nameKey(String(doc.company))) {
    frappeThrow(
      `Row #${String(row.idx)}: Company ${String(doc.company)} does not match Purchase Order ${String(order.name)}`,
    );
  }
  if (row.purchase_order_item && !items(order).some((line) => line.name === row.purchase_order_item)) {
    frappeThrow(
      `Row #${String(row.idx)}: Purchase Order Item ${String(row.purchase_order_item)} not found in ${String(order.name)}`,
    );
  }
}

/**
 * erpnext/controllers/status_updater.py: rows that carry purchase_order_item move the order row's
 * received_qty; receiving more than ordered (plus Stock Settings' allowance) is OverAllowanceError.
 * Rows without purchase_order_item leave the order untouched.
 */
function updateReceivedQty(ctx: RequestContext, doc: Doc, sign: 1 | -1): void {
  const allowance = Number(settings(ctx, 'Stock Settings').over_delivery_receipt_allowance ?? 0);
  const byOrder = new Map<string, Doc[]>();
  for (const row of items(doc)) {
    if (!row.purchase_order || !row.purchase_order_item) continue;
    const list = byOrder.get(String(row.purchase_order)) ?? [];
    list.push(row);
    byOrder.set(String(row.purchase_order), list);
  }
  for (const [orderName, rows] of byOrder) {
    const order = ctx.txn.get('Purchase Order', orderName);
    if (order === undefined) continue;
    for (const row of rows) {
      const line = items(order).find((candidate) => candidate.name === row.purchase_order_item);
      if (line === undefined) continue;
      line.received_qty = Number(line.received_qty ?? 0) + sign * Number(row.stock_qty ?? row.qty ?? 0);
      const limit = Number(line.stock_qty ?? line.qty ?? 0) * (1 + allowance / 100);
      if (sign > 0 && Number(line.received_qty) > limit + 1e-9) {
        const over = Number(line.received_qty) - Number(line.stock_qty ?? line.qty ?? 0);
        frappeThrow(
          `This document is over limit by <strong>Qty</strong> <strong>${over}</strong> for item <strong>${String(line.item_code)}</strong>. Are you making another <strong>Purchase Receipt</strong> against the same <strong>Purchase Order Item</strong>?<br><br>To allow over receipt / delivery, update "Over Receipt/Delivery Allowance" in Stock Settings or the Item.`,
          'OverAllowanceError',
          'Limit Crossed',
        );
      }
    }
    updatePurchaseOrderStatus(ctx, order);
  }
}
