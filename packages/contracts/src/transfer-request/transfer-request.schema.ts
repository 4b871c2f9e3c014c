import { type Static, Type } from '@sinclair/typebox';
import { AMOUNT_PATTERN } from '../common/decimal.js';
import { InstanceId } from '../common/ids.js';

/**
 * A validated transfer request, normalized: instance ids as strings, text trimmed, amounts as
 * canonical decimal strings ("10.50"), serials trimmed, transfer_rate always present. This is what
 * Interco stores (the manifest) and what the steps build ERPNext documents from.
 */

export const MAX_TEXT_LENGTH = 140;

/** No comma and no line break: ERPNext splits serial text on both. No other control characters. */
export const SERIAL_PATTERN = '^[^,\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]+$';

const Text = Type.String({ minLength: 1, maxLength: MAX_TEXT_LENGTH });
const Amount = Type.String({ pattern: AMOUNT_PATTERN, description: 'decimal string with two decimals' });

export const Serial = Type.String({ minLength: 1, maxLength: MAX_TEXT_LENGTH, pattern: SERIAL_PATTERN });

export const TransferItem = Type.Object(
  {
    item_code: Text,
    qty: Type.Integer({ minimum: 1 }),
    rate: Amount,
    transfer_rate: Amount,
    serials: Type.Array(Serial, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type TransferItem = Static<typeof TransferItem>;

export const IsoDate = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'a calendar date, YYYY-MM-DD',
});

export const TransferRequest = Type.Object(
  {
    company_a_instance_id: InstanceId,
    company_b_instance_id: InstanceId,
    supplier: Text,
    company_a_name: Text,
    company_b_customer_name: Text,
    company_a_supplier_name: Text,
    company_a_warehouse: Text,
    company_b_warehouse: Text,
    company_b_name: Type.Optional(Text),
    reference: Type.Optional(Text),
    schedule_date: Type.Optional(IsoDate),
    items: Type.Array(TransferItem, { minItems: 1 }),
  },
  { additionalProperties: false, $id: 'TransferRequest' },
);
export type TransferRequest = Static<typeof TransferRequest>;
