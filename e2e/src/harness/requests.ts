/**
 * Transfer requests between the demo sites, in the plan's format (what a client posts).
 * Serials are PIN-like numbers unique to each call (a run never reuses one), so transfers in one
 * test file never overlap unless a test wants them to.
 */
import { randomInt } from 'node:crypto';

let counter = 0;
const runPrefix = String(randomInt(10_000, 99_999));

/** A fresh 16-digit serial. */
export function freshSerial(): string {
  counter += 1;
  return `9${runPrefix}${String(counter).padStart(10, '0')}`;
}

export interface DemoTransferOptions {
  /** Serials per item, per item code (default: 10 of each demo item). */
  perItem?: Partial<Record<'PIN-001' | 'PIN-002' | 'SIM-001', number>>;
  reference?: string;
  more?: Record<string, unknown>;
}

/** A transfer of the demo items from company-a to company-b. */
export function demoTransfer(
  options: DemoTransferOptions = {},
): Record<string, unknown> & { items: { serials: string[] }[] } {
  const perItem = options.perItem ?? { 'PIN-001': 10, 'PIN-002': 10, 'SIM-001': 10 };
  const items = Object.entries(perItem)
    .filter(([, n]) => n !== undefined && n > 0)
    .map(([itemCode, n]) => {
      const serials = Array.from({ length: n ?? 0 }, () => freshSerial());
      return { item_code: itemCode, qty: serials.length, rate: '10.50', transfer_rate: '12.25', serials };
    });
  return {
    company_a_instance_id: 'company-a',
    company_b_instance_id: 'company-b',
    supplier: 'Proveedor de Pines SA',
    company_a_name: 'Compania A',
    company_b_customer_name: 'Compania B',
    company_a_supplier_name: 'Compania A',
    company_a_warehouse: 'Stores - CA',
    company_b_warehouse: 'Stores - CB',
    ...(options.reference === undefined ? {} : { reference: options.reference }),
    items,
    ...options.more,
  };
}
