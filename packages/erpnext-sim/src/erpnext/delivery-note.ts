import type { Controller } from '../frappe/context.js';
import { frappeDate, frappeTime } from '../frappe/context.js';
import { frappeThrow } from '../frappe/errors.js';
import { checkSerialRows, deliverSerials, reverseDelivery } from './serial-ledger.js';
import {
  checkFiscalYear,
  checkItems,
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

/** erpnext/stock/doctype/delivery_note/delivery_note.py (with selling and stock controllers). */
export const deliveryNote: Controller = {
  beforeValidate(ctx, doc) {
    setPostingTime(ctx, doc, frappeDate(ctx.now), frappeTime(ctx.now));
    // selling_controller.py set_missing_values: the customer's price list, else Selling Settings'.
    if (!doc.selling_price_list) {
      const customer = doc.customer ? ctx.txn.get('Customer', String(doc.customer)) : undefined;
      const fallback = customer?.default_price_list ?? settings(ctx, 'Selling Settings').selling_price_list;
      if (fallback) doc.selling_price_list = fallback;
    }
    fillItemDetails(ctx, doc, 'set_warehouse');
  },
  validate(ctx, doc) {
    const priceList = doc.selling_price_list
      ? ctx.txn.get('Price List', String(doc.selling_price_list))
      : undefined;
    // a missing price list is left to the mandatory check
    if (doc.selling_price_list && (priceList === undefined || !priceList.enabled || !priceList.selling)) {
      frappeThrow(
        `Price List ${String(doc.selling_price_list)} is disabled or does not exist`,
        'ValidationError',
      );
    }
    checkItems(ctx, doc);
    requireRowWarehouses(ctx, doc);
    checkWarehouseCompany(ctx, doc);
    // delivery_note.py so_required in Selling Settings
    if (settings(ctx, 'Selling Settings').so_required === 'Yes') {
      for (const row of items(doc)) {
        if (!row.against_sales_order) frappeThrow(`Sales Order required for Item ${String(row.item_code)}`);
      }
    }
    checkSerialSetting(ctx, serialRows(ctx, doc));
    checkSerialRows(ctx, serialRows(ctx, doc));
    doc.status = doc.docstatus === 1 ? 'To Bill' : 'Draft';
  },
  onSubmit(ctx, doc) {
    checkFiscalYear(ctx, doc.posting_date, doc.company);
    checkStockFrozen(ctx, doc.posting_date);
    deliverSerials(ctx, doc, serialRows(ctx, doc));
  },
  onCancel(ctx, doc) {
    checkStockFrozen(ctx, doc.posting_date);
    reverseDelivery(ctx, doc, serialRows(ctx, doc));
    doc.status = 'Cancelled';
    ctx.txn.put(doc);
  },
};
