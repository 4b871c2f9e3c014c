import { nameKey, type TransferRequest } from '@interco/contracts';
import type { ErpnextRow } from '../client/erpnext-client.js';
import { type ProblemList, text } from './checks.js';
import type { PreflightCheck } from './report.js';

/**
 * The transfer's serials against the Serial No records an instance already has. Both
 * instances receive the serials (A's Purchase Receipt, B's Purchase Receipt), and a receipt
 * refuses a serial that is
 * - Active in a warehouse: `SerialNoDuplicateError` ("already present in the warehouse");
 * - of another item: "does not belong to Item";
 * - Delivered (or Consumed) before, unless Stock Settings `allow_existing_serial_no` is on;
 * and takes one that is Inactive (its receipt was cancelled) or unknown.
 *
 * Problems give counts and request paths (`items[0].serials[3]`), never the serials: they may be PINs.
 */

/** How many request paths a serial problem lists before "and N more". */
export const SERIAL_PATHS_SHOWN = 5;

export interface SerialPosition {
  item: number;
  serial: number;
}

/** Every serial of the request, in request order. */
export function allSerials(manifest: TransferRequest): string[] {
  return manifest.items.flatMap((item) => item.serials);
}

/** Where each serial of the request is, keyed by `nameKey`. */
export function serialPositions(manifest: TransferRequest): Map<string, SerialPosition> {
  const out = new Map<string, SerialPosition>();
  manifest.items.forEach((item, i) => {
    item.serials.forEach((serial, j) => {
      const key = nameKey(serial);
      if (!out.has(key)) out.set(key, { item: i, serial: j });
    });
  });
  return out;
}

type Collision = Extract<PreflightCheck, 'serial_in_stock' | 'serial_other_item' | 'serial_delivered'>;

/** Why ERPNext would refuse to receive the serial again, in the order its receipt checks them. */
export function collision(
  row: ErpnextRow,
  itemCode: string,
  allowExistingSerialNo: boolean,
): Collision | undefined {
  const status = text(row, 'status');
  if (status === 'Active' && text(row, 'warehouse') !== undefined) return 'serial_in_stock';
  const owner = text(row, 'item_code');
  if (owner !== undefined && nameKey(owner) !== nameKey(itemCode)) return 'serial_other_item';
  if ((status === 'Delivered' || status === 'Consumed') && !allowExistingSerialNo) return 'serial_delivered';
  return undefined;
}

/** One problem per kind of collision and item, with the count and the first paths. */
export function checkSerials(
  list: ProblemList,
  manifest: TransferRequest,
  positions: ReadonlyMap<string, SerialPosition>,
  rows: readonly ErpnextRow[] | undefined,
  allowExistingSerialNo: boolean,
): void {
  if (rows === undefined) return;
  const found = new Map<Collision, Map<number, number[]>>();
  for (const row of rows) {
    if (typeof row.name !== 'string') continue;
    const at = positions.get(nameKey(row.name));
    const item = at === undefined ? undefined : manifest.items[at.item];
    if (at === undefined || item === undefined) continue;
    const kind = collision(row, item.item_code, allowExistingSerialNo);
    if (kind === undefined) continue;
    const byItem = found.get(kind) ?? new Map<number, number[]>();
    const serials = byItem.get(at.item) ?? [];
    serials.push(at.serial);
    byItem.set(at.item, serials);
    found.set(kind, byItem);
  }
  for (const kind of ['serial_in_stock', 'serial_other_item', 'serial_delivered'] as const) {
    const byItem = found.get(kind);
    if (byItem === undefined) continue;
    for (const [i, serials] of [...byItem].sort(([x], [y]) => x - y)) {
      const item = manifest.items[i];
      if (item === undefined) continue;
      list.add(kind, serialMessage(kind, list.where, i, item.item_code, serials), `items[${i}].serials`);
    }
  }
}

function serialMessage(
  kind: Collision,
  where: string,
  item: number,
  itemCode: string,
  serials: number[],
): string {
  const count = serials.length;
  const which = `${count} serial number${count === 1 ? '' : 's'} of items[${item}] (item "${itemCode}")`;
  const be = count === 1 ? 'is' : 'are';
  const paths = listPaths(item, serials);
  switch (kind) {
    case 'serial_in_stock':
      return `${which} ${be} already in stock in ${where} (Serial No Active in a warehouse), so receiving ${count === 1 ? 'it' : 'them'} there would be refused (SerialNoDuplicateError): ${paths}. Take ${count === 1 ? 'it' : 'them'} out of the transfer, or out of that stock first.`;
    case 'serial_other_item':
      return `${which} already exist${count === 1 ? 's' : ''} in ${where} as serial numbers of another item, so ERPNext refuses ${count === 1 ? 'it' : 'them'} for "${itemCode}": ${paths}. Correct the item or the serial numbers.`;
    case 'serial_delivered':
      return `${which} ${count === 1 ? 'was' : 'were'} delivered or consumed before in ${where}, and its Stock Settings do not allow receiving an existing serial number again (allow_existing_serial_no is off): ${paths}. Turn that setting on, or take ${count === 1 ? 'it' : 'them'} out of the transfer.`;
  }
}

/** `items[0].serials[3], items[0].serials[7] and 12 more`. */
function listPaths(item: number, serials: number[]): string {
  const sorted = [...serials].sort((x, y) => x - y);
  const shown = sorted.slice(0, SERIAL_PATHS_SHOWN).map((j) => `items[${item}].serials[${j}]`);
  const rest = sorted.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}
