/**
 * The body limit of the routes that take a transfer request (POST /v1/transfers, the plan's
 * route, the admin preflight): the exact size in bytes of the largest request that can pass
 * validation at the configured caps, written as compact JSON (what `JSON.stringify` makes: no
 * whitespace, numbers in their shortest form) with every string in plain UTF-8:
 *
 * - the two instance ids: strings of 64 characters (the longest id; ids are ASCII);
 * - every text field (`supplier`, the four names, the two warehouses, `company_b_name`,
 *   `reference`, each item's `item_code`): 140 characters, each counted at 3 UTF-8 bytes (the most
 *   one UTF-16 code unit takes: a character outside the BMP is 2 code units and 4 bytes);
 * - `schedule_date`: `"YYYY-MM-DD"`;
 * - `rate` and `transfer_rate`: decimal strings of 12 digits and 2 decimals (`"999999999999.99"`);
 * - as many items as allowed (`min(maxItems, maxSerials)`: each item has at least one serial), each
 *   serial 140 characters at 3 bytes, and the serials spread over the items so that the `qty`
 *   numbers have the most digits in all (largestQuantities).
 *
 * So a request at the caps always passes the limit, and the limit is no larger than such a request
 * can be. What it does not cover: a body padded with whitespace, numbers written longer than
 * needed (`2.000`, `1e0`), amounts with leading zeros, and characters written as `\uXXXX` escapes
 * when they need none (6 bytes instead of at most 3); only a client that pads its request can
 * reach the limit before the caps.
 */

/** The longest instance id (`InstanceId`: 1 to 64 characters). */
const INSTANCE_ID_CHARACTERS = 64;
/** The longest text field and serial, in UTF-16 code units (`MAX_TEXT_LENGTH`). */
const TEXT_CHARACTERS = 140;
/** The most UTF-8 bytes one UTF-16 code unit takes. */
const BYTES_PER_CHARACTER = 3;
/** `"999999999999.99"`: 12 digits before the point, 2 after, quoted. */
const AMOUNT_BYTES = 12 + 1 + 2 + 2;
/** `"2026-12-31"`. */
const DATE_BYTES = 10 + 2;

const TOP_TEXT_FIELDS = [
  'supplier',
  'company_a_name',
  'company_b_customer_name',
  'company_a_supplier_name',
  'company_a_warehouse',
  'company_b_warehouse',
  'company_b_name',
  'reference',
] as const;

export interface BodyCaps {
  /** Most serials in one transfer (INTERCO_MAX_SERIALS). */
  readonly maxSerials: number;
  /** Most items in one transfer (INTERCO_MAX_ITEMS). */
  readonly maxItems: number;
}

/** A quoted string of `characters` UTF-16 code units at 3 bytes each. */
function textBytes(characters: number): number {
  return characters * BYTES_PER_CHARACTER + 2;
}

/** `"key":` and the value. */
function member(key: string, valueBytes: number): number {
  return key.length + 3 + valueBytes;
}

/** `{...}` or `[...]` around these members or elements, with commas between them. */
function container(parts: readonly number[]): number {
  return 2 + parts.reduce((sum, part) => sum + part, 0) + Math.max(parts.length - 1, 0);
}

function digits(n: number): number {
  return String(n).length;
}

/**
 * How `serials` serials spread over `items` items (each at least one) so that the quantities
 * have the most decimal digits in all. Greedy: every item starts at 1; raising an item from
 * 10^(k-1) to 10^k costs 9 * 10^(k-1) serials and adds one digit, and the cheapest raises are
 * taken first (level by level, as far as the serials go); what is left goes to the first item,
 * which it cannot lengthen (it is less than the next raise costs). Exchange argument: any spread
 * can be rearranged into this one without losing a digit.
 */
export function largestQuantities(serials: number, items: number): number[] {
  checkCount(serials, 'serials');
  checkCount(items, 'items');
  if (items > serials) throw new RangeError('largestQuantities: more items than serials');
  const quantities = Array.from({ length: items }, () => 1);
  let left = serials - items;
  for (let level = 1; ; level++) {
    const step = 9 * 10 ** (level - 1);
    const raised = Math.min(items, Math.floor(left / step));
    for (let i = 0; i < raised; i++) quantities[i] = 10 ** level;
    left -= raised * step;
    if (raised < items) break;
  }
  quantities[0] = (quantities[0] ?? 0) + left;
  return quantities;
}

/** The body limit, in bytes, for these caps (see the module comment). */
export function maxBodyBytes(caps: BodyCaps): number {
  checkCount(caps.maxSerials, 'maxSerials');
  checkCount(caps.maxItems, 'maxItems');
  const itemCount = Math.min(caps.maxItems, caps.maxSerials);
  const items = largestQuantities(caps.maxSerials, itemCount).map((qty) =>
    container([
      member('item_code', textBytes(TEXT_CHARACTERS)),
      member('qty', digits(qty)),
      member('rate', AMOUNT_BYTES),
      member('transfer_rate', AMOUNT_BYTES),
      member('serials', container(Array.from({ length: qty }, () => textBytes(TEXT_CHARACTERS)))),
    ]),
  );
  return container([
    member('company_a_instance_id', INSTANCE_ID_CHARACTERS + 2),
    member('company_b_instance_id', INSTANCE_ID_CHARACTERS + 2),
    ...TOP_TEXT_FIELDS.map((key) => member(key, textBytes(TEXT_CHARACTERS))),
    member('schedule_date', DATE_BYTES),
    member('items', container(items)),
  ]);
}

function checkCount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number of at least 1`);
  }
}
