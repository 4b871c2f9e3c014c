import type { TransferRequest } from '@interco/contracts';
import { bench, describe } from 'vitest';
import { buildDeliveryNote } from './builders.js';
import { chunkTransfer } from './chunking.js';

// Target: a transfer at the 100,000-serial cap is chunked, and all its Delivery Notes built, in
// well under a second.
const items = Array.from({ length: 10 }, (_, i) => {
  const serials = Array.from({ length: 10_000 }, (_, j) => `SN-${i}-${String(j).padStart(12, '0')}`);
  return { item_code: `PIN-${i}`, qty: serials.length, rate: '10.50', transfer_rate: '12.00', serials };
});
const manifest: TransferRequest = {
  company_a_instance_id: 'erp-a',
  company_b_instance_id: 'erp-b',
  supplier: 'Proveedor de Pines SA',
  company_a_name: 'Compania A',
  company_b_customer_name: 'Compania B',
  company_a_supplier_name: 'Compania A',
  company_a_warehouse: 'Stores - CA',
  company_b_warehouse: 'Stores - CB',
  items,
};

describe('chunkTransfer', () => {
  bench('100,000 serials in 10 items (default limits)', () => {
    if (chunkTransfer(manifest).length !== 100) throw new Error('expected 100 chunks');
  });
  bench('100,000 serials: chunks and 100 Delivery Notes', () => {
    for (const chunk of chunkTransfer(manifest)) buildDeliveryNote(manifest, 'tr_X', chunk);
  });
});
