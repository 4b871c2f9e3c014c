import { nameKey, type Step, type TransferItem, type TransferRequest } from '@interco/contracts';
import type { ExpectedContent } from '../markers/insert-once.js';
import { MARKER_FIELDNAME, marker } from '../markers/marker.js';
import { type DocumentChunk, type ItemSlice, serialText } from './chunking.js';
import type {
  DeliveryNoteDoc,
  DeliveryNoteItemRow,
  PurchaseOrderDoc,
  PurchaseReceiptADoc,
  PurchaseReceiptBDoc,
  SubmittedPurchaseOrder,
} from './document.schema.js';

/**
 * The four ERPNext documents of a transfer chunk, as request bodies for
 * `POST /api/resource/{Doctype}`. Pure: no I/O, no clock (the caller passes `today`), no float
 * arithmetic (rates are the manifest's decimal strings, quantities are serial counts).
 *
 * **One Purchase Order per document chunk.** The PO is chunked exactly like the receipts and the
 * delivery notes (same chunk numbers, same items and quantities per chunk), so the receipt of
 * chunk N receives against the PO of chunk N alone: each PO row's quantity is exactly what that
 * receipt carries, a retried step only ever touches its own pair of documents, and a PO never
 * grows past the 120 s a worker has. The marker of each is `<transfer>:<step>:<chunk>`.
 *
 * None of them sets `docstatus`: whether the insert also submits is the caller's choice,
 * `insertOnce(client, doctype, body, { marker, submit })` (submit defaults to true, and then the
 * client adds `docstatus: 1` so that ERPNext inserts and submits in one transaction). Each carries
 * its marker in the unique Custom Field `custom_interco_marker`; `expectedContent(chunk)` is what
 * `insertOnce` checks a document found by that marker against.
 */

/** The inputs do not fit together (a PO of another chunk, a chunk of another manifest...). */
export class DocumentBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentBuildError';
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DATA_LENGTH = 140;

/**
 * Purchase Order in A for one chunk: one row per item of the chunk, `qty` = the chunk's serial
 * count of that item, `rate` = the item's purchase rate.
 *
 * `schedule_date` ("Reqd by Date") is the manifest's date, or `today` when the manifest has none
 * or its date is already past: ERPNext refuses a Reqd by Date before the PO's transaction date
 * (the server's today), and a retry may run days after the transfer was asked for. `today` is
 * YYYY-MM-DD, ideally in the ERPNext site's time zone.
 */
export function buildPurchaseOrder(
  manifest: TransferRequest,
  transferId: string,
  chunk: DocumentChunk,
  today: string,
): PurchaseOrderDoc {
  if (!ISO_DATE.test(today)) throw new DocumentBuildError('today must be a date written YYYY-MM-DD');
  const scheduleDate =
    manifest.schedule_date !== undefined && manifest.schedule_date > today ? manifest.schedule_date : today;
  return {
    supplier: manifest.supplier,
    company: manifest.company_a_name,
    schedule_date: scheduleDate,
    set_warehouse: manifest.company_a_warehouse,
    items: slicesOf(manifest, chunk).map(({ slice, item }) => ({
      item_code: item.item_code,
      qty: slice.serials.length,
      rate: item.rate,
      schedule_date: scheduleDate,
      warehouse: manifest.company_a_warehouse,
    })),
    [MARKER_FIELDNAME]: markerOf(transferId, 'po_a', chunk),
  };
}

/**
 * Purchase Receipt in A for one chunk, received against that chunk's submitted PO (`po`, as
 * ERPNext answered it). Every row carries `purchase_order` and `purchase_order_item` (the PO row
 * of its item; several rows of one item point at the same PO row), so the PO's received
 * quantity moves. Rate = the item's purchase rate (the PO's: ERPNext keeps them equal).
 */
export function buildPurchaseReceiptA(
  manifest: TransferRequest,
  transferId: string,
  chunk: DocumentChunk,
  po: SubmittedPurchaseOrder,
): PurchaseReceiptADoc {
  const expected = markerOf(transferId, 'po_a', chunk);
  const poMarker = po[MARKER_FIELDNAME];
  if (poMarker !== undefined && poMarker !== expected) {
    throw new DocumentBuildError(
      `Purchase Order ${po.name} carries the marker ${poMarker}, not ${expected}: it is not this chunk's order`,
    );
  }
  if (po.docstatus !== undefined && po.docstatus !== 1) {
    throw new DocumentBuildError(`Purchase Order ${po.name} is not submitted (docstatus ${po.docstatus})`);
  }
  return {
    supplier: manifest.supplier,
    company: manifest.company_a_name,
    set_warehouse: manifest.company_a_warehouse,
    items: slicesOf(manifest, chunk).flatMap(({ slice, item }) => {
      const poRow = orderRowFor(po, slice);
      return slice.rows.map((row) => ({
        item_code: item.item_code,
        qty: row.serials.length,
        rate: item.rate,
        warehouse: manifest.company_a_warehouse,
        serial_no: serialText(row),
        purchase_order: po.name,
        purchase_order_item: poRow,
      }));
    }),
    [MARKER_FIELDNAME]: markerOf(transferId, 'pr_a', chunk),
  };
}

/**
 * Delivery Note in A for one chunk: to the customer representing B, from A's warehouse, at the
 * transfer rate. `po_no` ("Customer's Purchase Order", free text) carries the transfer id as a
 * fallback marker. `sellingPriceList` is sent only when given; otherwise ERPNext resolves it
 * (the customer's default price list, then its customer group's, then Selling Settings'
 * `selling_price_list`) and refuses the DN (417) when none resolves.
 */
export function buildDeliveryNote(
  manifest: TransferRequest,
  transferId: string,
  chunk: DocumentChunk,
  sellingPriceList?: string,
): DeliveryNoteDoc {
  checkDataLength('transferId', transferId);
  return {
    customer: manifest.company_b_customer_name,
    company: manifest.company_a_name,
    set_warehouse: manifest.company_a_warehouse,
    ...(sellingPriceList === undefined ? {} : { selling_price_list: sellingPriceList }),
    po_no: transferId,
    items: serialRows(manifest, chunk, manifest.company_a_warehouse),
    [MARKER_FIELDNAME]: markerOf(transferId, 'dn_a', chunk),
  };
}

/**
 * Purchase Receipt in B for one chunk: company B (`companyB`: the caller resolves
 * `company_b_name`, or the company of `company_b_warehouse`) receives the chunk's serials from
 * the supplier representing A, into B's warehouse, at the transfer rate.
 * `supplier_delivery_note` = the name of A's Delivery Note of the same chunk. No PO in B.
 */
export function buildPurchaseReceiptB(
  manifest: TransferRequest,
  transferId: string,
  chunk: DocumentChunk,
  dnName: string,
  companyB: string,
): PurchaseReceiptBDoc {
  checkDataLength('dnName', dnName);
  checkDataLength('companyB', companyB);
  return {
    supplier: manifest.company_a_supplier_name,
    company: companyB,
    set_warehouse: manifest.company_b_warehouse,
    supplier_delivery_note: dnName,
    items: serialRows(manifest, chunk, manifest.company_b_warehouse),
    [MARKER_FIELDNAME]: markerOf(transferId, 'pr_b', chunk),
  };
}

/**
 * What every document of the chunk carries, per item: the chunk's serial count of that item (the
 * PO's row qty, the sum of the receipts' and the delivery note's row qtys). Pass it as
 * `insertOnce(..., { expected })`, so that a document found by marker is reused only when it
 * carries exactly these quantities (a document made from another cut of the transfer is refused
 * with MarkerError `marker_content_mismatch`). Item codes and counts only, no serials.
 */
export function expectedContent(chunk: DocumentChunk): ExpectedContent {
  return { items: chunk.items.map((slice) => ({ item_code: slice.itemCode, qty: slice.serials.length })) };
}

/** Rows at the transfer rate, one per chunk row (used by the DN in A and the PR in B). */
function serialRows(
  manifest: TransferRequest,
  chunk: DocumentChunk,
  warehouse: string,
): DeliveryNoteItemRow[] {
  return slicesOf(manifest, chunk).flatMap(({ slice, item }) =>
    slice.rows.map((row) => ({
      item_code: item.item_code,
      qty: row.serials.length,
      rate: item.transfer_rate,
      warehouse,
      serial_no: serialText(row),
    })),
  );
}

/** The chunk's slices with their manifest items; the chunk must come from this manifest. */
function slicesOf(
  manifest: TransferRequest,
  chunk: DocumentChunk,
): Array<{ slice: ItemSlice; item: TransferItem }> {
  if (chunk.items.length === 0) throw new DocumentBuildError(`chunk ${chunk.index} carries no serials`);
  return chunk.items.map((slice) => {
    const item = manifest.items[slice.itemIndex];
    if (item === undefined || item.item_code !== slice.itemCode) {
      throw new DocumentBuildError(
        `chunk ${chunk.index} names items[${slice.itemIndex}] = ${slice.itemCode}, which this manifest does not have`,
      );
    }
    if (slice.serials.length === 0) {
      throw new DocumentBuildError(`chunk ${chunk.index} carries no serials of ${slice.itemCode}`);
    }
    return { slice, item };
  });
}

/**
 * The name of the PO row of the slice's item. Our POs have one row per item, its qty the slice's
 * serial count; anything else means the PO was not built from this chunk.
 */
function orderRowFor(po: SubmittedPurchaseOrder, slice: ItemSlice): string {
  const key = nameKey(slice.itemCode);
  // ERPNext answers a Link with the record's own spelling: compare as MariaDB does.
  const rows = po.items.filter((row) => nameKey(row.item_code) === key);
  const [row] = rows;
  if (row === undefined || rows.length > 1) {
    throw new DocumentBuildError(
      `Purchase Order ${po.name} has ${rows.length} rows for item ${slice.itemCode}, expected exactly 1`,
    );
  }
  if (row.qty !== undefined && row.qty !== slice.serials.length) {
    throw new DocumentBuildError(
      `Purchase Order ${po.name} orders ${row.qty} of ${slice.itemCode} but the chunk carries ${slice.serials.length}`,
    );
  }
  return row.name;
}

function markerOf(transferId: string, step: Step, chunk: DocumentChunk): string {
  if (!Number.isInteger(chunk.index) || chunk.index < 0) {
    throw new DocumentBuildError(`chunk index must be a whole number from 0, not ${chunk.index}`);
  }
  const value = marker(transferId, step, chunk.index);
  checkDataLength('marker', value);
  return value;
}

/** ERPNext's Data fields hold 140 characters (CharacterLengthExceededError). */
function checkDataLength(what: string, value: string): void {
  if (value.length === 0 || value.length > MAX_DATA_LENGTH) {
    throw new DocumentBuildError(
      `${what} must be 1 to ${MAX_DATA_LENGTH} characters (it has ${value.length})`,
    );
  }
}
