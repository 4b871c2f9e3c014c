import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer } from './harness/requests.js';

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline();
});

afterAll(async () => {
  await pipeline?.close();
});

describe('a transfer of 3 items and 30 serials', () => {
  it('ends with one submitted PO, PR and DN in A and one PR in B, linked, in 4 writes', async () => {
    const body = demoTransfer();
    const serials = body.items.flatMap((item) => item.serials);
    const id = await pipeline.submit(body);

    const state = await pipeline.waitFor(id, (s) => s.status === 'completed' || s.status === 'failed');
    expect(state.status, JSON.stringify(state.steps)).toBe('completed');

    const [orders, receiptsA, notes, receiptsB] = await Promise.all([
      pipeline.a.documentsOf('Purchase Order', id),
      pipeline.a.documentsOf('Purchase Receipt', id),
      pipeline.a.documentsOf('Delivery Note', id),
      pipeline.b.documentsOf('Purchase Receipt', id),
    ]);
    for (const docs of [orders, receiptsA, notes, receiptsB]) {
      expect(docs).toHaveLength(1);
      expect(docs[0]?.docstatus).toBe(1);
    }
    const [po, prA, dn, prB] = [orders[0], receiptsA[0], notes[0], receiptsB[0]];

    // The names the steps published are the documents ERPNext holds.
    expect(state.steps.po_a.documents.map((d) => d.name)).toEqual([po?.name]);
    expect(state.steps.pr_a.documents.map((d) => d.name)).toEqual([prA?.name]);
    expect(state.steps.dn_a.documents.map((d) => d.name)).toEqual([dn?.name]);
    expect(state.steps.pr_b.documents.map((d) => d.name)).toEqual([prB?.name]);

    // Links: the receipt in A against the order's rows, the order fully received,
    // the note to B's customer, B's receipt from A's supplier naming A's note.
    const prRows = prA?.items as Record<string, unknown>[];
    const poRows = new Set(((po?.items ?? []) as Record<string, unknown>[]).map((row) => row.name));
    for (const row of prRows) {
      expect(row.purchase_order).toBe(po?.name);
      expect(poRows.has(row.purchase_order_item)).toBe(true);
    }
    expect(Number(po?.per_received)).toBe(100);
    expect(dn?.customer).toBe('Compania B');
    expect(prB?.supplier).toBe('Compania A');
    expect(prB?.supplier_delivery_note).toBe(dn?.name);

    // Serial states: delivered in A, in stock in B's warehouse.
    const inA = new Map((await pipeline.a.serials()).map((s) => [s.name, s]));
    const inB = new Map((await pipeline.b.serials()).map((s) => [s.name, s]));
    for (const serial of serials) {
      expect(inA.get(serial)?.status).toBe('Delivered');
      expect(inB.get(serial)?.status).toBe('Active');
      expect(inB.get(serial)?.warehouse).toBe('Stores - CB');
    }

    // Four writes in all: one insert (with submit) per document.
    expect((await pipeline.a.writes()) + (await pipeline.b.writes())).toBe(4);

    // The events carry names, counts and digests, never a serial.
    const events = await pipeline.events(id);
    const text = JSON.stringify(events);
    for (const serial of serials) expect(text).not.toContain(serial);
    expect(events.map((e) => e.type)).toEqual([
      'transfer.requested',
      'po_a.done',
      'pr_a.done',
      'dn_a.done',
      'pr_b.done',
    ]);
  });
});
