/**
 * Transfer request bodies for the tests: the plan's shape (the demo sites' names), with serials
 * unique per call.
 */
import { DEMO_TRANSFER_PARTIES } from '@interco/bus/test-support';

let counter = 0;

/** A prefix no other call of this process gave: serials made with it are not in another transfer. */
export function uniquePrefix(): string {
  counter++;
  return `T${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export interface RequestOptions {
  a?: string;
  b?: string;
  /** Serials per item (two items). */
  perItem?: number;
  prefix?: string;
}

export function transferBody(options: RequestOptions = {}): Record<string, unknown> & {
  items: Array<Record<string, unknown> & { serials: string[] }>;
} {
  const prefix = options.prefix ?? uniquePrefix();
  const perItem = options.perItem ?? 2;
  return {
    ...DEMO_TRANSFER_PARTIES,
    company_a_instance_id: options.a ?? 'erp-a',
    company_b_instance_id: options.b ?? 'erp-b',
    items: [1, 2].map((n) => ({
      item_code: `PIN-00${n}`,
      qty: perItem,
      rate: '10.50',
      serials: Array.from({ length: perItem }, (_, i) => `${prefix}-${n}-${i}`),
    })),
  };
}

/** Every serial of a body. */
export function serialsOf(body: { items: Array<{ serials: string[] }> }): string[] {
  return body.items.flatMap((item) => item.serials);
}

/** The `i`-th serial of item `item` (throws when there is none). */
export function serialAt(body: { items: Array<{ serials: string[] }> }, item: number, i: number): string {
  const serial = body.items[item]?.serials[i];
  if (serial === undefined) throw new Error(`no serial items[${item}].serials[${i}]`);
  return serial;
}
