import { type BodyCaps, largestQuantities } from '../transfers/body-limit.js';

/** CJK ideographs: 3 UTF-8 bytes each, no case, no decomposition (nameKey keeps them apart). */
const BASE = 0x4e00;
const RADIX = 4096;

/** `length` characters of 3 UTF-8 bytes, unique per (`kind`, `n`). */
export function wideText(kind: number, n: number, length = 140): string {
  let code = '';
  let rest = n;
  do {
    code = String.fromCharCode(BASE + (rest % RADIX)) + code;
    rest = Math.floor(rest / RADIX);
  } while (rest > 0);
  const head = String.fromCharCode(BASE + RADIX + kind);
  return (head + code).padStart(length, String.fromCharCode(BASE + RADIX + 100));
}

/**
 * The largest request that passes validation at these caps, as maxBodyBytes counts it: its
 * compact JSON is exactly maxBodyBytes(caps) bytes. The instance ids are 64 characters (register
 * them to get past the instance check).
 */
export function largestRequest(
  caps: BodyCaps,
  instances: { a: string; b: string } = { a: 'a'.repeat(64), b: 'b'.repeat(64) },
): Record<string, unknown> {
  const itemCount = Math.min(caps.maxItems, caps.maxSerials);
  let serial = 0;
  const items = largestQuantities(caps.maxSerials, itemCount).map((qty, i) => ({
    item_code: wideText(1, i),
    qty,
    rate: '999999999999.99',
    transfer_rate: '999999999999.99',
    serials: Array.from({ length: qty }, () => wideText(2, serial++)),
  }));
  return {
    company_a_instance_id: instances.a,
    company_b_instance_id: instances.b,
    supplier: wideText(3, 0),
    company_a_name: wideText(4, 0),
    company_b_customer_name: wideText(5, 0),
    company_a_supplier_name: wideText(6, 0),
    company_a_warehouse: wideText(7, 0),
    company_b_warehouse: wideText(8, 0),
    company_b_name: wideText(9, 0),
    reference: wideText(10, 0),
    schedule_date: '2026-12-31',
    items,
  };
}
