import { type EventOf, newEvent, newTransferId, type TransferRequest } from '@interco/contracts';
import { chunkingFingerprint, resolveChunkingLimits } from '@interco/erpnext';
import type { TransferRecord } from '../stores/transfer-record.schema.js';

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

export function sampleRequestedEvent(transferId: string = newTransferId()): EventOf<'transfer.requested'> {
  return newEvent(
    'transfer.requested',
    { transferid: transferId, generation: 1, actor: 'tok_test', source: 'interco/intake' },
    {
      manifest: { ref: `t_manifests/${transferId}`, digest: `sha256:${'0'.repeat(64)}` },
      instances: { a: 'erp-a', b: 'erp-b' },
      companies: { a: 'Company A', b_customer_in_a: 'Company B', a_supplier_in_b: 'Company A' },
      supplier: 'Supplier A',
      warehouses: { a: 'Stores - A', b: 'Stores - B' },
      counts: { items: 1, serials: 3 },
    },
  );
}

export function sampleRecord(transferId: string = newTransferId()): TransferRecord {
  const limits = resolveChunkingLimits({});
  const event = sampleRequestedEvent(transferId);
  return {
    transfer_id: transferId,
    status: 'active',
    generation: 1,
    created_at: event.time,
    updated_at: event.time,
    actor: 'tok_test',
    request_digest: `sha256:${'1'.repeat(64)}`,
    manifest: event.data.manifest,
    chunking: { limits: { ...limits }, fingerprint: chunkingFingerprint(limits) },
    instances: { a: 'erp-a', b: 'erp-b' },
    counts: { items: 1, serials: 3 },
    requested_event: event,
  };
}
