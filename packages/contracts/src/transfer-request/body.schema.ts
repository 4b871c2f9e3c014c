import { type Static, Type } from '@sinclair/typebox';

/**
 * The transfer request as a client sends it (POST /v1/transfers), with the original plan's field
 * names unchanged. This schema fixes the shape: which fields exist, which are required, their
 * JSON types. The rules beyond the types (trimming, lengths, decimals, serial rules, counts) are in
 * validate.ts, which turns a body into a normalized TransferRequest (transfer-request.schema.ts).
 */

const text = (description: string) => Type.String({ description: `${description} (at most 140 characters)` });

const InstanceRef = (description: string) =>
  Type.Union([Type.String(), Type.Integer()], {
    description: `${description}; a whole number is accepted and turned into a string`,
    errorMessage: 'must be an instance id (a string or a whole number)',
  });

const Amount = (description: string) =>
  Type.Union([Type.Number(), Type.String()], {
    description: `${description}: >= 0, at most 2 decimals, as a number or a decimal string ("10.50")`,
    errorMessage: 'must be an amount, as a number or a decimal string such as "10.50"',
  });

export const TransferItemBody = Type.Object(
  {
    item_code: text('Item code, the same in both companies; the item has serial numbers'),
    qty: Type.Integer({
      minimum: 1,
      description: 'units moved: a whole number >= 1, equal to the number of serials',
    }),
    rate: Amount('purchase rate on the Purchase Order and on A’s Purchase Receipt'),
    transfer_rate: Type.Optional(
      Amount('rate on the Delivery Note and on B’s Purchase Receipt; defaults to rate'),
    ),
    serials: Type.Array(Type.String(), {
      errorMessage: 'must be a list of serial numbers (strings)',
      description:
        'serial numbers, one per unit: trimmed, non-empty, at most 140 characters, no comma or line break, unique in the transfer (case-insensitively)',
    }),
  },
  { additionalProperties: false },
);
export type TransferItemBody = Static<typeof TransferItemBody>;

export const TransferRequestBody = Type.Object(
  {
    company_a_instance_id: InstanceRef('ERPNext instance of company A (the seller)'),
    company_b_instance_id: InstanceRef('ERPNext instance of company B (the buyer)'),
    supplier: text('external supplier of the Purchase Order in A'),
    company_a_name: text('company A in its own ERPNext'),
    company_b_customer_name: text('the customer in A that represents company B (Delivery Note)'),
    company_a_supplier_name: text('the supplier in B that represents company A (B’s Purchase Receipt)'),
    company_a_warehouse: text('warehouse of company A that receives and delivers'),
    company_b_warehouse: text('warehouse of company B that receives'),
    company_b_name: Type.Optional(
      text('company B on its Purchase Receipt; when absent, the company that owns company_b_warehouse'),
    ),
    reference: Type.Optional(text('the client’s own id for this transfer')),
    schedule_date: Type.Optional(
      Type.String({
        description: 'Purchase Order "Reqd by Date" as YYYY-MM-DD; defaults to the day it is made',
      }),
    ),
    items: Type.Array(TransferItemBody, {
      minItems: 1,
      errorMessage: 'must be a list of at least one item',
      description: 'at least one item; each item_code once',
    }),
  },
  { additionalProperties: false, $id: 'TransferRequestBody' },
);
export type TransferRequestBody = Static<typeof TransferRequestBody>;
