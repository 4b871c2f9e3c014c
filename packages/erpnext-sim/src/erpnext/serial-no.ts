import type { Controller } from '../frappe/context.js';
import { frappeThrow } from '../frappe/errors.js';

/**
 * erpnext/stock/doctype/serial_no/serial_no.py: a Serial No created directly (not by the stock
 * ledger) may not name a warehouse. The ledger (serial-ledger.ts) writes its records straight to
 * the transaction, so this only meets Serial Nos inserted through the API.
 */
export const serialNo: Controller = {
  validate(_ctx, doc, previous) {
    if (previous === undefined && doc.warehouse) {
      frappeThrow(
        'New Serial No cannot have Warehouse. Warehouse must be set by Stock Entry or Purchase Receipt',
        'SerialNoCannotCreateDirectError',
      );
    }
  },
};
