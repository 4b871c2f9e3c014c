/**
 * Transfers between the ERPNext simulator's demo sites (`company-a` to `company-b`, the plan's
 * example): the body a client posts, or the request validated as intake does. One builder for
 * the step services' tests, the runtime's pipeline tests, intake's and the end-to-end tests.
 */
import { type TransferRequest, validateTransferRequest } from '@interco/contracts';
import { type DEMO_ITEMS, DEMO_TRANSFER_PARTIES } from '@interco/erpnext-sim';

/** A serialized item of the demo sites (both have them). */
export type DemoItem = (typeof DEMO_ITEMS)[number];

/** What a transfer between the demo sites names besides its items (the simulator's). */
export { DEMO_TRANSFER_PARTIES };

export interface DemoTransferBodyOptions {
  /** Serials per item, in this order (an item with none is left out). */
  perItem: Partial<Record<DemoItem, number>>;
  /** The `i`-th serial of the item at place `item` (0, 1, ... in `perItem`). */
  serial: (item: number, i: number) => string;
  /** Fields to add, or to put in place of the demo's. */
  more?: Record<string, unknown>;
}

export interface DemoTransferBody extends Record<string, unknown> {
  items: Array<{ item_code: string; qty: number; rate: string; transfer_rate: string; serials: string[] }>;
}

/** The request body of a transfer between the demo sites (rate 10.50, transfer rate 12.25). */
export function demoTransferBody(options: DemoTransferBodyOptions): DemoTransferBody {
  const items = Object.entries(options.perItem)
    .filter((entry): entry is [string, number] => entry[1] !== undefined && entry[1] > 0)
    .map(([item_code, count], item) => ({
      item_code,
      qty: count,
      rate: '10.50',
      transfer_rate: '12.25',
      serials: Array.from({ length: count }, (_, i) => options.serial(item, i)),
    }));
  return { ...DEMO_TRANSFER_PARTIES, items, ...options.more };
}

/** The same transfer, validated and normalized as intake does (throws when it is not valid). */
export function demoRequest(options: DemoTransferBodyOptions): TransferRequest {
  const result = validateTransferRequest(demoTransferBody(options));
  if (!result.ok) throw new Error(`invalid test transfer: ${JSON.stringify(result.problems.slice(0, 3))}`);
  return result.value;
}

/**
 * The step services' transfer: `perItem` serials of PIN-001 and of PIN-002, numbered from
 * `prefix` (`<prefix><item><6 digits>`), validated.
 */
export function demoTransfer(
  perItem: number,
  prefix: string,
  more: Record<string, unknown> = {},
): TransferRequest {
  return demoRequest({
    perItem: { 'PIN-001': perItem, 'PIN-002': perItem },
    serial: (item, i) => `${prefix}${item}${String(i).padStart(6, '0')}`,
    more,
  });
}
