import type { Controller, RequestContext } from '../frappe/context.js';
import type { Doc } from '../frappe/database.js';
import { frappeThrow } from '../frappe/errors.js';
import {
  checkItems,
  checkRepeatedItems,
  checkWarehouseCompany,
  fillItemDetails,
  items,
  requireRowWarehouses,
} from './transaction-rules.js';

/** erpnext/buying/doctype/purchase_order/purchase_order.py (with buying_controller.py). */
export const purchaseOrder: Controller = {
  beforeValidate(ctx, doc) {
    // buying_controller.py validate_schedule_date: the parent's "Required By" becomes the earliest
    // row date whenever a row has one (a later parent date is overwritten); rows without a date
    // then take the parent's.
    const dates = items(doc)
      .map((row) => row.schedule_date)
      .filter((d): d is string => typeof d === 'string' && d !== '')
      .sort();
    if (dates.length > 0) doc.schedule_date = dates[0];
    if (doc.schedule_date) {
      for (const row of items(doc)) if (!row.schedule_date) row.schedule_date = doc.schedule_date;
    }
    fillItemDetails(ctx, doc, 'set_warehouse');
  },
  validate(ctx, doc) {
    checkItems(ctx, doc);
    requireRowWarehouses(ctx, doc);
    // buying_controller.py validate_schedule_date
    if (items(doc).length > 0 && !doc.schedule_date)
      frappeThrow('Please enter Reqd by Date', 'ValidationError');
    for (const row of items(doc)) {
      if (row.schedule_date && String(row.schedule_date) < String(doc.transaction_date)) {
        frappeThrow(
          `Row #${String(row.idx)}: Reqd by Date cannot be before Transaction Date`,
          'ValidationError',
        );
      }
    }
    checkRepeatedItems(ctx, doc, 'Buying Settings');
    checkWarehouseCompany(ctx, doc);
    doc.status = doc.docstatus === 1 ? 'To Receive and Bill' : 'Draft';
  },
  onSubmit(ctx, doc) {
    updatePurchaseOrderStatus(ctx, doc);
  },
  onCancel(ctx, doc) {
    doc.status = 'Cancelled';
    ctx.txn.put(doc);
  },
};

/** per_received and status from the rows' received quantities (status_updater.py). */
export function updatePurchaseOrderStatus(ctx: RequestContext, order: Doc): void {
  const rows = items(order);
  const ordered = rows.reduce((sum, row) => sum + Number(row.stock_qty ?? row.qty ?? 0), 0);
  const received = rows.reduce(
    (sum, row) => sum + Math.min(Number(row.received_qty ?? 0), Number(row.stock_qty ?? 0)),
    0,
  );
  order.per_received = ordered > 0 ? Math.round((received / ordered) * 10000) / 100 : 0;
  if (order.docstatus === 1)
    order.status = Number(order.per_received) >= 100 ? 'To Bill' : 'To Receive and Bill';
  ctx.txn.put(order);
}
