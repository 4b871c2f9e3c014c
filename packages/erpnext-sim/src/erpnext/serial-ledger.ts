import { nameKey } from '@interco/contracts';
import type { RequestContext } from '../frappe/context.js';
import type { Doc } from '../frappe/database.js';
import { frappeThrow } from '../frappe/errors.js';

/**
 * Serial numbers and where they are: one `Serial No` record per serial, as ERPNext keeps them
 * (erpnext/stock/doctype/serial_no). A receipt creates or reactivates them in a warehouse, a
 * delivery takes them out, a cancel puts them back. The records are rows of the request's
 * transaction, so a failed request leaves the ledger as it was.
 */

/**
 * erpnext/stock/doctype/serial_no/serial_no.py get_serial_nos: the row's `serial_no` text split on
 * line breaks and commas, each trimmed, empty ones dropped.
 */
export function splitSerials(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  return text
    .trim()
    .replace(/,/g, '\n')
    .split('\n')
    .map((serial) => serial.trim())
    .filter((serial) => serial !== '');
}

export interface SerialRow {
  row: Doc;
  item: Doc;
  serials: string[];
}

/** Checks the serials of each row against its item and quantity, and across the document. */
export function checkSerialRows(ctx: RequestContext, rows: SerialRow[]): void {
  const seen = new Map<string, number>();
  for (const { row, item, serials } of rows) {
    if (!item.has_serial_no) {
      if (serials.length > 0) {
        // v14 wording (serial_no.py); v15's text path words it differently (docs/frappe-facts.md)
        frappeThrow(
          `Item ${String(item.name)} is not setup for Serial Nos. Column must be blank`,
          'SerialNoNotRequiredError',
        );
      }
      continue;
    }
    if (serials.length === 0) {
      // stock_ledger_entry.py validate_serial_batch_no_bundle
      frappeThrow(
        `Serial No / Batch No are mandatory for Item ${String(item.name)}`,
        'ValidationError',
        'Error',
      );
    }
    const stockQty = Number(row.stock_qty ?? row.qty ?? 0);
    if (serials.length !== stockQty) {
      frappeThrow(
        `Row #${String(row.idx)}: ${stockQty} Serial Numbers required for Item ${String(item.name)}. You have provided ${serials.length}.`,
        'SerialNoQtyError',
      );
    }
    for (const serial of serials) {
      const key = nameKey(serial);
      // serial_and_batch_bundle.py validate_duplicate_serial_and_batch_no
      if (seen.has(key)) frappeThrow(`Duplicate Serial No ${serial} found`, 'ValidationError', 'Error');
      seen.set(key, Number(row.idx));
    }
    ctx.serialsTouched += serials.length;
  }
}

/**
 * A receipt brings the serials into the row's warehouse: new ones are created; ones whose receipt
 * was cancelled (Inactive) are reactivated; ones still in stock anywhere are refused; ones already
 * delivered are refused unless Stock Settings allow_existing_serial_no (v15 bundle rules).
 */
export function receiveSerials(
  ctx: RequestContext,
  doc: Doc,
  rows: SerialRow[],
  allowExisting: boolean,
): void {
  for (const { row, item, serials } of rows) {
    if (!item.has_serial_no) continue;
    const warehouse = String(row.warehouse);
    for (const serial of serials) {
      const existing = ctx.txn.get('Serial No', serial);
      if (existing !== undefined) {
        if (existing.status === 'Active' && existing.warehouse) {
          // serial_and_batch_bundle.py validate_serial_nos_duplicate
          frappeThrow(
            `Serial No <strong>${existing.name}</strong> is already present in the warehouse <strong>${String(existing.warehouse)}</strong>.`,
            'SerialNoDuplicateError',
            'Error',
          );
        }
        if (nameKey(String(existing.item_code)) !== nameKey(String(item.name))) {
          frappeThrow(
            `Serial Nos <strong>${existing.name}</strong> does not belong to Item <strong>${String(item.name)}</strong>`,
            'ValidationError',
            'Error',
          );
        }
        if (existing.status === 'Delivered' && !allowExisting) {
          // serial_and_batch_bundle.py allow_existing_serial_nos: {0} is the serial as is (not
          // bold), {1} a form link to the delivery's bundle, {2} a note, {3} a form link to Stock
          // Settings. The simulator keeps no bundles: {1} names the delivery document instead, and
          // the links are relative (get_link_to_form puts the site's URL in front).
          frappeThrow(
            `You can't process the serial number ${existing.name} as it has already been used in the SABB ${formLink('Serial and Batch Bundle', String(existing.delivery_document_no))}. <br><br> <b>Note</b>:<br> if you want to inward same serial number multiple times then enabled 'Allow existing Serial No to be Manufactured/Received again' in the ${formLink('Stock Settings', 'Stock Settings')}`,
            'ValidationError',
          );
        }
      }
      const record: Doc = existing ?? {
        doctype: 'Serial No',
        name: serial,
        serial_no: serial,
        item_code: item.name,
        owner: ctx.user.email,
        creation: doc.modified,
        docstatus: 0,
      };
      record.status = 'Active';
      record.warehouse = warehouse;
      record.company = doc.company;
      record.purchase_document_no = doc.name;
      // received again (allow_existing_serial_no): no longer delivered
      record.delivery_document_no = null;
      record.modified = doc.modified;
      record.modified_by = ctx.user.email;
      ctx.txn.put(record);
    }
  }
}

/** Cancelling a receipt takes its serials out again; they must still be where it put them. */
export function reverseReceipt(ctx: RequestContext, rows: SerialRow[], modified: unknown): void {
  for (const { row, item, serials } of rows) {
    if (!item.has_serial_no) continue;
    // each serial's ledger entry is reversed one by one: per-serial latency, as on submit
    ctx.serialsTouched += serials.length;
    for (const serial of serials) {
      const record = requireInWarehouse(ctx, serial, String(row.warehouse));
      record.status = 'Inactive';
      record.warehouse = null;
      record.modified = modified;
      ctx.txn.put(record);
    }
  }
}

/**
 * A delivery takes each serial out of the row's warehouse, where it must be in stock. Serials of
 * another item are refused first, all of a row's together (serial_and_batch_bundle.py
 * validate_incorrect_serial_nos, in the bundle's validate, before its submit checks the stock).
 */
export function deliverSerials(ctx: RequestContext, doc: Doc, rows: SerialRow[]): void {
  for (const { item, serials } of rows) {
    if (!item.has_serial_no) continue;
    const foreign: string[] = [];
    for (const serial of serials) {
      const record = ctx.txn.get('Serial No', serial);
      if (record !== undefined && nameKey(String(record.item_code)) !== nameKey(String(item.name)))
        foreign.push(record.name);
    }
    if (foreign.length > 0) {
      frappeThrow(
        `Serial Nos <strong>${foreign.join(', ')}</strong> does not belong to Item <strong>${String(item.name)}</strong>`,
        'ValidationError',
        'Error',
      );
    }
  }
  for (const { row, item, serials } of rows) {
    if (!item.has_serial_no) continue;
    for (const serial of serials) {
      const record = requireInWarehouse(ctx, serial, String(row.warehouse));
      record.status = 'Delivered';
      record.warehouse = null;
      record.delivery_document_no = doc.name;
      record.modified = doc.modified;
      ctx.txn.put(record);
    }
  }
}

/** Cancelling a delivery brings the serials back into the row's warehouse. */
export function reverseDelivery(ctx: RequestContext, doc: Doc, rows: SerialRow[]): void {
  for (const { row, item, serials } of rows) {
    if (!item.has_serial_no) continue;
    ctx.serialsTouched += serials.length;
    for (const serial of serials) {
      const record = ctx.txn.get('Serial No', serial);
      if (record === undefined || record.status !== 'Delivered' || record.delivery_document_no !== doc.name) {
        frappeThrow(`Serial No ${serial} is not delivered by ${String(doc.name)}`, 'SerialNoWarehouseError');
      }
      record.status = 'Active';
      record.warehouse = row.warehouse;
      record.delivery_document_no = null;
      record.modified = doc.modified;
      ctx.txn.put(record);
    }
  }
}

function requireInWarehouse(ctx: RequestContext, serial: string, warehouse: string): Doc {
  const record = ctx.txn.get('Serial No', serial);
  const here =
    record !== undefined &&
    record.status === 'Active' &&
    typeof record.warehouse === 'string' &&
    nameKey(record.warehouse) === nameKey(warehouse);
  if (!here) {
    // serial_and_batch_bundle.py validate_serial_nos_inventory
    frappeThrow(
      `Serial No <strong>${record?.name ?? serial}</strong> is not present in the warehouse <strong>${warehouse}</strong>.`,
      'SerialNoWarehouseError',
      'Error',
    );
  }
  return record;
}

/**
 * frappe.utils.get_link_to_form: `<a href="{url}/app/{slug}/{quoted name}">{name}</a>`, here
 * without the site URL in front.
 */
function formLink(doctype: string, name: string): string {
  const slug = doctype.toLowerCase().replace(/ /g, '-');
  return `<a href="/app/${slug}/${quoted(name)}">${name}</a>`;
}

/** frappe.utils.quoted: urllib's quote with safe="~@#$&()*!+=:;,.?/'". */
function quoted(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9_.\-~@#$&()*!+=:;,?/']/.test(c)
        ? c
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}
