/**
 * dn-a: the Delivery Note(s) in company A, one per chunk, to the customer that represents company
 * B, from A's warehouse, with the chunk's serials. No price list is sent: ERPNext resolves it (the
 * customer's default, its group's, then Selling Settings'), and the preflight checked that one does.
 */
import type { StepDefinition } from '@interco/bus';
import { buildDeliveryNote } from '@interco/erpnext';

export const dnA: StepDefinition = {
  step: 'dn_a',
  service: 'dn-a',
  instance: 'a',
  doctype: 'Delivery Note',

  async build(ctx, chunk) {
    return buildDeliveryNote(ctx.manifest, ctx.transferId, chunk);
  },
};
