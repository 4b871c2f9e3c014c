import { IsoDate, TransferItem } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';
import { MARKER_FIELDNAME } from '../markers/marker.js';

/**
 * The bodies Interco posts to `POST /api/resource/{Doctype}` for its four documents, and the part
 * of ERPNext's answer for a Purchase Order that the receipt against it needs. The bodies carry no
 * `docstatus` (the schemas refuse one): `insertOnce`'s `submit` option decides whether the insert
 * also submits (the client then adds `docstatus: 1`). See docs/erpnext-documents.md.
 */

/** A Link or Data value: ERPNext's Data columns hold 140 characters. */
const Name = Type.String({ minLength: 1, maxLength: 140 });
/** A canonical decimal string ("10.50"), never a float. */
const Amount = TransferItem.properties.rate;
const Qty = Type.Integer({ minimum: 1, description: 'the number of serials the row carries' });
const SerialText = Type.String({
  minLength: 1,
  description: 'serials joined with "\\n"; under 65,535 UTF-8 bytes (a TEXT column)',
});
const Marker = Type.String({ minLength: 1, maxLength: 140, description: '<transfer id>:<step>:<chunk>' });

export const PurchaseOrderItemRow = Type.Object(
  { item_code: Name, qty: Qty, rate: Amount, schedule_date: IsoDate, warehouse: Name },
  { additionalProperties: false },
);
export type PurchaseOrderItemRow = Static<typeof PurchaseOrderItemRow>;

/** Purchase Order in A: the supplier sells company A the chunk's serials at `rate`. */
export const PurchaseOrderDoc = Type.Object(
  {
    supplier: Name,
    company: Name,
    schedule_date: IsoDate,
    set_warehouse: Name,
    items: Type.Array(PurchaseOrderItemRow, { minItems: 1 }),
    [MARKER_FIELDNAME]: Marker,
  },
  { additionalProperties: false, $id: 'PurchaseOrderDoc' },
);
export type PurchaseOrderDoc = Static<typeof PurchaseOrderDoc>;

/**
 * What buildPurchaseReceiptA needs from the submitted Purchase Order, as ERPNext answered it
 * (`POST` or `GET /api/resource/Purchase Order/...`): its name and its rows' names. Other fields
 * of the answer are allowed and ignored.
 */
export const SubmittedPurchaseOrder = Type.Object(
  {
    name: Name,
    docstatus: Type.Optional(Type.Integer()),
    [MARKER_FIELDNAME]: Type.Optional(Type.String()),
    items: Type.Array(
      Type.Object({
        name: Name,
        item_code: Name,
        qty: Type.Optional(Type.Number()),
        idx: Type.Optional(Type.Integer()),
      }),
    ),
  },
  { $id: 'SubmittedPurchaseOrder' },
);
export type SubmittedPurchaseOrder = Static<typeof SubmittedPurchaseOrder>;

export const PurchaseReceiptAItemRow = Type.Object(
  {
    item_code: Name,
    qty: Qty,
    rate: Amount,
    warehouse: Name,
    serial_no: SerialText,
    purchase_order: Name,
    purchase_order_item: Type.String({ minLength: 1, description: "the PO row's name" }),
  },
  { additionalProperties: false },
);
export type PurchaseReceiptAItemRow = Static<typeof PurchaseReceiptAItemRow>;

/** Purchase Receipt in A: company A receives the chunk's serials against its own PO chunk. */
export const PurchaseReceiptADoc = Type.Object(
  {
    supplier: Name,
    company: Name,
    set_warehouse: Name,
    items: Type.Array(PurchaseReceiptAItemRow, { minItems: 1 }),
    [MARKER_FIELDNAME]: Marker,
  },
  { additionalProperties: false, $id: 'PurchaseReceiptADoc' },
);
export type PurchaseReceiptADoc = Static<typeof PurchaseReceiptADoc>;

export const DeliveryNoteItemRow = Type.Object(
  { item_code: Name, qty: Qty, rate: Amount, warehouse: Name, serial_no: SerialText },
  { additionalProperties: false },
);
export type DeliveryNoteItemRow = Static<typeof DeliveryNoteItemRow>;

/** Delivery Note in A: company A delivers the chunk's serials to the customer representing B. */
export const DeliveryNoteDoc = Type.Object(
  {
    customer: Name,
    company: Name,
    set_warehouse: Name,
    selling_price_list: Type.Optional(Name),
    po_no: Name,
    items: Type.Array(DeliveryNoteItemRow, { minItems: 1 }),
    [MARKER_FIELDNAME]: Marker,
  },
  { additionalProperties: false, $id: 'DeliveryNoteDoc' },
);
export type DeliveryNoteDoc = Static<typeof DeliveryNoteDoc>;

export const PurchaseReceiptBItemRow = Type.Object(
  { item_code: Name, qty: Qty, rate: Amount, warehouse: Name, serial_no: SerialText },
  { additionalProperties: false },
);
export type PurchaseReceiptBItemRow = Static<typeof PurchaseReceiptBItemRow>;

/** Purchase Receipt in B: company B receives the chunk's serials from the supplier representing A. */
export const PurchaseReceiptBDoc = Type.Object(
  {
    supplier: Name,
    company: Name,
    set_warehouse: Name,
    supplier_delivery_note: Name,
    items: Type.Array(PurchaseReceiptBItemRow, { minItems: 1 }),
    [MARKER_FIELDNAME]: Marker,
  },
  { additionalProperties: false, $id: 'PurchaseReceiptBDoc' },
);
export type PurchaseReceiptBDoc = Static<typeof PurchaseReceiptBDoc>;
