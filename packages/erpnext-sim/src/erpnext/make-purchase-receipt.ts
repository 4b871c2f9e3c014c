import type { RequestContext } from '../frappe/context.js';
import { getDoc } from '../frappe/document.js';
import { frappeThrow } from '../frappe/errors.js';
import { items } from './transaction-rules.js';

/**
 * erpnext.buying.doctype.purchase_order.purchase_order.make_purchase_receipt(source_name): an
 * unsaved Purchase Receipt for what is still to receive, each row linked to its order row through
 * purchase_order and purchase_order_item. The order must be submitted.
 */
export function makePurchaseReceipt(ctx: RequestContext, sourceName: string): Record<string, unknown> {
  const order = getDoc(ctx, 'Purchase Order', sourceName);
  // frappe/model/mapper.py: the source must match the mapper's condition
  if (order.docstatus !== 1)
    frappeThrow('Cannot map because following condition fails: docstatus=1', 'ValidationError');
  const rows = items(order)
    .map((line) => ({
      line,
      pending: Number(line.qty ?? 0) - Number(line.received_qty ?? 0) / Number(line.conversion_factor ?? 1),
    }))
    .filter(({ pending }) => pending > 0)
    .map(({ line, pending }, i) => ({
      // a new row: no name yet (frappe.model.mapper), __islocal like its parent
      doctype: 'Purchase Receipt Item',
      __islocal: 1,
      idx: i + 1,
      item_code: line.item_code,
      item_name: line.item_name,
      qty: pending,
      received_qty: pending,
      uom: line.uom,
      conversion_factor: line.conversion_factor,
      rate: line.rate,
      warehouse: line.warehouse,
      purchase_order: order.name,
      purchase_order_item: line.name,
    }));
  // a new, unsaved document: no name until it is inserted
  return {
    doctype: 'Purchase Receipt',
    __islocal: 1,
    docstatus: 0,
    supplier: order.supplier,
    company: order.company,
    currency: order.currency,
    set_warehouse: order.set_warehouse,
    items: rows,
  };
}
