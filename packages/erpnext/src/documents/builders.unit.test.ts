import type { TransferRequest } from '@interco/contracts';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { MARKER_FIELDNAME } from '../markers/marker.js';
import {
  buildDeliveryNote,
  buildPurchaseOrder,
  buildPurchaseReceiptA,
  buildPurchaseReceiptB,
  DocumentBuildError,
  expectedContent,
} from './builders.js';
import { chunkTransfer, type DocumentChunk } from './chunking.js';
import {
  DeliveryNoteDoc,
  PurchaseOrderDoc,
  PurchaseReceiptADoc,
  PurchaseReceiptBDoc,
  SubmittedPurchaseOrder,
} from './document.schema.js';

const TRANSFER = 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B';
const TODAY = '2026-03-10';

function serials(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(6, '0')}`);
}

function transfer(overrides: Partial<TransferRequest> = {}): TransferRequest {
  return {
    company_a_instance_id: 'erp-a',
    company_b_instance_id: 'erp-b',
    supplier: 'Proveedor de Pines SA',
    company_a_name: 'Compania A',
    company_b_customer_name: 'Compania B',
    company_a_supplier_name: 'Compania A',
    company_a_warehouse: 'Stores - CA',
    company_b_warehouse: 'Stores - CB',
    items: [
      {
        item_code: 'PIN-001',
        qty: 1500,
        rate: '1234567.89',
        transfer_rate: '0.10',
        serials: serials('A', 1500),
      },
      { item_code: 'PIN-002', qty: 700, rate: '3.10', transfer_rate: '3.30', serials: serials('B', 700) },
    ],
    ...overrides,
  };
}

/** A submitted PO as ERPNext answers it: our body plus names, idx, nulls omitted. */
function answered(doc: ReturnType<typeof buildPurchaseOrder>, name = 'PUR-ORD-2026-00001') {
  return {
    ...doc,
    name,
    doctype: 'Purchase Order',
    docstatus: 1,
    status: 'To Receive and Bill',
    items: doc.items.map((row, i) => ({
      ...row,
      // ERPNext answers the Item's own spelling of the link and Floats as numbers.
      item_code: row.item_code.toLowerCase(),
      name: `po-row-${i}`,
      idx: i + 1,
      parent: name,
      stock_qty: row.qty,
      received_qty: 0,
    })),
  };
}

function check(schema: TSchema, value: unknown): void {
  expect([...Value.Errors(schema, value)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
}

const manifest = transfer();
const chunks = chunkTransfer(manifest, { maxSerialsPerDocument: 1000, maxSerialsPerRow: 400 });
const [first, second] = chunks as [DocumentChunk, DocumentChunk];

describe('the chunks used here', () => {
  it('span items: chunk 1 carries PIN-001 500..1499 and PIN-002 0..499', () => {
    expect(chunks.map((c) => c.items.map((s) => [s.itemCode, s.start, s.serials.length]))).toEqual([
      [['PIN-001', 0, 1000]],
      [
        ['PIN-001', 1000, 500],
        ['PIN-002', 0, 500],
      ],
      [['PIN-002', 500, 200]],
    ]);
  });
});

describe('buildPurchaseOrder', () => {
  it('orders the chunk from the supplier for company A, one row per item', () => {
    const po = buildPurchaseOrder(manifest, TRANSFER, second, TODAY);
    check(PurchaseOrderDoc, po);
    expect(po).toEqual({
      supplier: 'Proveedor de Pines SA',
      company: 'Compania A',
      schedule_date: TODAY,
      set_warehouse: 'Stores - CA',
      items: [
        {
          item_code: 'PIN-001',
          qty: 500,
          rate: '1234567.89',
          schedule_date: TODAY,
          warehouse: 'Stores - CA',
        },
        { item_code: 'PIN-002', qty: 500, rate: '3.10', schedule_date: TODAY, warehouse: 'Stores - CA' },
      ],
      custom_interco_marker: `${TRANSFER}:po_a:1`,
    });
  });

  it("takes the manifest's schedule date unless it is already past", () => {
    const future = transfer({ schedule_date: '2026-04-01' });
    const po = buildPurchaseOrder(future, TRANSFER, first, TODAY);
    expect(po.schedule_date).toBe('2026-04-01');
    expect(po.items.map((r) => r.schedule_date)).toEqual(['2026-04-01']);
    const past = transfer({ schedule_date: '2026-03-01' });
    expect(buildPurchaseOrder(past, TRANSFER, first, TODAY).schedule_date).toBe(TODAY);
  });

  it('needs today as YYYY-MM-DD', () => {
    expect(() => buildPurchaseOrder(manifest, TRANSFER, first, '10/03/2026')).toThrow(DocumentBuildError);
  });

  it('refuses a chunk of another manifest', () => {
    const other = transfer({
      items: [{ item_code: 'SIM-001', qty: 1, rate: '1.00', transfer_rate: '1.00', serials: ['X'] }],
    });
    expect(() => buildPurchaseOrder(other, TRANSFER, second, TODAY)).toThrow(DocumentBuildError);
  });
});

describe('buildPurchaseReceiptA', () => {
  it("receives the chunk against its own PO's rows, several rows per PO row", () => {
    const po = answered(buildPurchaseOrder(manifest, TRANSFER, second, TODAY));
    check(SubmittedPurchaseOrder, po);
    const pr = buildPurchaseReceiptA(manifest, TRANSFER, second, po);
    check(PurchaseReceiptADoc, pr);
    expect(pr).toMatchObject({
      supplier: 'Proveedor de Pines SA',
      company: 'Compania A',
      set_warehouse: 'Stores - CA',
      custom_interco_marker: `${TRANSFER}:pr_a:1`,
    });
    expect(
      pr.items.map((r) => [r.item_code, r.qty, r.rate, r.purchase_order, r.purchase_order_item]),
    ).toEqual([
      ['PIN-001', 400, '1234567.89', 'PUR-ORD-2026-00001', 'po-row-0'],
      ['PIN-001', 100, '1234567.89', 'PUR-ORD-2026-00001', 'po-row-0'],
      ['PIN-002', 400, '3.10', 'PUR-ORD-2026-00001', 'po-row-1'],
      ['PIN-002', 100, '3.10', 'PUR-ORD-2026-00001', 'po-row-1'],
    ]);
    for (const row of pr.items) {
      expect(row.warehouse).toBe('Stores - CA');
      expect(row.serial_no.split('\n')).toHaveLength(row.qty);
    }
    expect(pr.items.flatMap((r) => r.serial_no.split('\n'))).toEqual([
      ...serials('A', 1500).slice(1000),
      ...serials('B', 700).slice(0, 500),
    ]);
  });

  it('finds the PO rows by item, whatever their order', () => {
    const po = answered(buildPurchaseOrder(manifest, TRANSFER, second, TODAY));
    const reversed = { ...po, items: [...po.items].reverse() };
    const pr = buildPurchaseReceiptA(manifest, TRANSFER, second, reversed);
    expect(pr.items.map((r) => r.purchase_order_item)).toEqual([
      'po-row-0',
      'po-row-0',
      'po-row-1',
      'po-row-1',
    ]);
  });

  it("refuses another chunk's PO, a draft, or a PO that does not match the chunk", () => {
    const poOfFirst = answered(buildPurchaseOrder(manifest, TRANSFER, first, TODAY));
    expect(() => buildPurchaseReceiptA(manifest, TRANSFER, second, poOfFirst)).toThrow(
      /not this chunk's order/,
    );
    const po = answered(buildPurchaseOrder(manifest, TRANSFER, second, TODAY));
    expect(() => buildPurchaseReceiptA(manifest, TRANSFER, second, { ...po, docstatus: 0 })).toThrow(
      /not submitted/,
    );
    const { [MARKER_FIELDNAME]: _, ...unmarked } = po;
    const missingRow = { ...unmarked, items: po.items.slice(0, 1) };
    expect(() => buildPurchaseReceiptA(manifest, TRANSFER, second, missingRow)).toThrow(
      /0 rows for item PIN-002/,
    );
    const wrongQty = { ...unmarked, items: po.items.map((r) => ({ ...r, qty: 999 })) };
    expect(() => buildPurchaseReceiptA(manifest, TRANSFER, second, wrongQty)).toThrow(/orders 999/);
    const twice = { ...unmarked, items: [...po.items, ...po.items] };
    expect(() => buildPurchaseReceiptA(manifest, TRANSFER, second, twice)).toThrow(DocumentBuildError);
  });
});

describe('buildDeliveryNote', () => {
  it('delivers the chunk to the customer representing B at the transfer rate', () => {
    const dn = buildDeliveryNote(manifest, TRANSFER, second);
    check(DeliveryNoteDoc, dn);
    expect(dn).toMatchObject({
      customer: 'Compania B',
      company: 'Compania A',
      set_warehouse: 'Stores - CA',
      po_no: TRANSFER,
      custom_interco_marker: `${TRANSFER}:dn_a:1`,
    });
    expect('selling_price_list' in dn).toBe(false);
    expect(dn.items.map((r) => [r.item_code, r.qty, r.rate, r.warehouse])).toEqual([
      ['PIN-001', 400, '0.10', 'Stores - CA'],
      ['PIN-001', 100, '0.10', 'Stores - CA'],
      ['PIN-002', 400, '3.30', 'Stores - CA'],
      ['PIN-002', 100, '3.30', 'Stores - CA'],
    ]);
  });

  it('sends a selling price list only when given', () => {
    expect(buildDeliveryNote(manifest, TRANSFER, first, 'Standard Selling').selling_price_list).toBe(
      'Standard Selling',
    );
  });
});

describe('buildPurchaseReceiptB', () => {
  it("receives the chunk in B from the supplier representing A, naming A's DN", () => {
    const pr = buildPurchaseReceiptB(
      manifest,
      TRANSFER,
      chunks[2] as DocumentChunk,
      'MAT-DN-2026-00003',
      'Compania B',
    );
    check(PurchaseReceiptBDoc, pr);
    expect(pr).toEqual({
      supplier: 'Compania A',
      company: 'Compania B',
      set_warehouse: 'Stores - CB',
      supplier_delivery_note: 'MAT-DN-2026-00003',
      items: [
        {
          item_code: 'PIN-002',
          qty: 200,
          rate: '3.30',
          warehouse: 'Stores - CB',
          serial_no: serials('B', 700).slice(500).join('\n'),
        },
      ],
      custom_interco_marker: `${TRANSFER}:pr_b:2`,
    });
  });
});

describe('expectedContent', () => {
  it("is the chunk's serial count per item: what each of its four documents carries", () => {
    expect(expectedContent(second)).toEqual({
      items: [
        { item_code: 'PIN-001', qty: 500 },
        { item_code: 'PIN-002', qty: 500 },
      ],
    });
    const po = buildPurchaseOrder(manifest, TRANSFER, second, TODAY);
    const dn = buildDeliveryNote(manifest, TRANSFER, second);
    const total = (rows: ReadonlyArray<{ item_code: string; qty: number }>, code: string) =>
      rows.filter((r) => r.item_code === code).reduce((n, r) => n + r.qty, 0);
    for (const { item_code, qty } of expectedContent(second).items) {
      expect(total(po.items, item_code)).toBe(qty);
      expect(total(dn.items, item_code)).toBe(qty);
    }
    expect(JSON.stringify(expectedContent(second))).not.toContain('A-');
  });
});

describe('all four', () => {
  it('carry one marker per step and chunk, and every serial once per step', () => {
    const markers = new Set<string>();
    const perStep = { po: 0, prA: [] as string[], dn: [] as string[], prB: [] as string[] };
    for (const chunk of chunks) {
      const po = buildPurchaseOrder(manifest, TRANSFER, chunk, TODAY);
      const prA = buildPurchaseReceiptA(manifest, TRANSFER, chunk, answered(po, `PO-${chunk.index}`));
      const dn = buildDeliveryNote(manifest, TRANSFER, chunk);
      const prB = buildPurchaseReceiptB(manifest, TRANSFER, chunk, `DN-${chunk.index}`, 'Compania B');
      for (const doc of [po, prA, dn, prB]) markers.add(doc[MARKER_FIELDNAME]);
      perStep.po += po.items.reduce((n, r) => n + r.qty, 0);
      perStep.prA.push(...prA.items.flatMap((r) => r.serial_no.split('\n')));
      perStep.dn.push(...dn.items.flatMap((r) => r.serial_no.split('\n')));
      perStep.prB.push(...prB.items.flatMap((r) => r.serial_no.split('\n')));
    }
    expect(markers.size).toBe(chunks.length * 4);
    const all = manifest.items.flatMap((i) => i.serials);
    expect(perStep.po).toBe(all.length);
    expect(perStep.prA).toEqual(all);
    expect(perStep.dn).toEqual(all);
    expect(perStep.prB).toEqual(all);
  });

  it('stay within maxRowsPerDocument rows (default 50): 500 items of 2 serials', () => {
    const many = transfer({
      items: Array.from({ length: 500 }, (_, i) => ({
        item_code: `PIN-${String(i).padStart(3, '0')}`,
        qty: 2,
        rate: '1.00',
        transfer_rate: '1.10',
        serials: serials(`S${i}`, 2),
      })),
    });
    const cut = chunkTransfer(many);
    expect(cut).toHaveLength(10);
    const all: string[] = [];
    for (const chunk of cut) {
      const po = buildPurchaseOrder(many, TRANSFER, chunk, TODAY);
      const prA = buildPurchaseReceiptA(many, TRANSFER, chunk, answered(po));
      const dn = buildDeliveryNote(many, TRANSFER, chunk);
      const prB = buildPurchaseReceiptB(many, TRANSFER, chunk, 'DN-1', 'Compania B');
      for (const doc of [po, prA, dn, prB]) expect(doc.items.length).toBeLessThanOrEqual(50);
      all.push(...dn.items.flatMap((r) => r.serial_no.split('\n')));
    }
    expect(all).toEqual(many.items.flatMap((i) => i.serials));
    expect(new Set(all).size).toBe(1000);
  });

  it('refuse a marker longer than the 140 characters of a Data field', () => {
    expect(() => buildDeliveryNote(manifest, 'x'.repeat(140), first)).toThrow(DocumentBuildError);
  });

  it('are described by schemas that refuse unknown fields', () => {
    const po = buildPurchaseOrder(manifest, TRANSFER, first, TODAY);
    expect(Value.Check(PurchaseOrderDoc, { ...po, extra: 1 })).toBe(false);
    expect(Value.Check(PurchaseOrderDoc, { ...po, items: [{ ...po.items[0], rate: 10.5 }] })).toBe(false);
  });

  it('set no docstatus: insertOnce decides whether the insert submits', () => {
    const [chunk] = chunks;
    if (chunk === undefined) throw new Error('no chunk');
    const po = buildPurchaseOrder(manifest, TRANSFER, chunk, TODAY);
    const bodies: Array<[TSchema, Record<string, unknown>]> = [
      [PurchaseOrderDoc, po],
      [PurchaseReceiptADoc, buildPurchaseReceiptA(manifest, TRANSFER, chunk, answered(po))],
      [DeliveryNoteDoc, buildDeliveryNote(manifest, TRANSFER, chunk)],
      [PurchaseReceiptBDoc, buildPurchaseReceiptB(manifest, TRANSFER, chunk, 'DN-1', 'Compania B')],
    ];
    for (const [schema, body] of bodies) {
      expect('docstatus' in body).toBe(false);
      check(schema, body);
      // the schemas refuse one too: a body never decides for the caller
      expect(Value.Check(schema, { ...body, docstatus: 1 })).toBe(false);
    }
  });
});
