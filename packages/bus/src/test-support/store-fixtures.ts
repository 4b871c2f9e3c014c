import { type EventOf, newTransferId, type TransferRequest } from '@interco/contracts';
import type { TransferRecord } from '../stores/transfer-record.schema.js';
import { requestedTransfer } from './requested-transfer.js';

/** A valid normalized request with `serials` serials over `items` items (for store tests). */
export function sampleRequest(serials = 3, items = 1, serialPrefix = 'SN'): TransferRequest {
  const perItem = Math.ceil(serials / items);
  return {
    company_a_instance_id: 'erp-a',
    company_b_instance_id: 'erp-b',
    supplier: 'Supplier A',
    company_a_name: 'Company A',
    company_b_customer_name: 'Company B',
    company_a_supplier_name: 'Company A',
    company_a_warehouse: 'Stores - A',
    company_b_warehouse: 'Stores - B',
    items: Array.from({ length: items }, (_, item) => {
      const count = Math.max(1, Math.min(perItem, serials - item * perItem));
      return {
        item_code: `ITEM-${item}`,
        qty: count,
        rate: '10.00',
        transfer_rate: '10.00',
        serials: Array.from({ length: count }, (_, i) => `${serialPrefix}-${item}-${i}`),
      };
    }),
  };
}

/** The `transfer.requested` of `sampleRequest()`. */
export function sampleRequestedEvent(transferId: string = newTransferId()): EventOf<'transfer.requested'> {
  return requestedTransfer(sampleRequest(), { transferId }).requested;
}

/** The record of `sampleRequest()`, as intake would store it. */
export function sampleRecord(transferId: string = newTransferId()): TransferRecord {
  return requestedTransfer(sampleRequest(), { transferId }).record;
}
