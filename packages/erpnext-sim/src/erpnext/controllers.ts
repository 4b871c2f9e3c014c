import type { Controller } from '../frappe/context.js';
import { customField } from './custom-field.js';
import { deliveryNote } from './delivery-note.js';
import { purchaseOrder } from './purchase-order.js';
import { purchaseReceipt } from './purchase-receipt.js';
import { serialNo } from './serial-no.js';

/** The doctype controllers the simulator runs (doctypes without one only get Frappe's rules). */
export const CONTROLLERS: Readonly<Record<string, Controller>> = {
  'Purchase Order': purchaseOrder,
  'Purchase Receipt': purchaseReceipt,
  'Delivery Note': deliveryNote,
  'Custom Field': customField,
  'Serial No': serialNo,
};
