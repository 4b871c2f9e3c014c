import { type TransferRequest, validateTransferRequest } from '@interco/contracts';
import { type RunningSite, type Simulator, startSimulator } from '@interco/erpnext-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErpnextClient } from '../client/erpnext-client.js';
import { insertOnce } from '../markers/insert-once.js';
import { MARKER_FIELDNAME, MARKER_LABEL, marker } from '../markers/marker.js';
import { MarkerError } from '../markers/marker-error.js';
import {
  buildDeliveryNote,
  buildPurchaseOrder,
  buildPurchaseReceiptA,
  buildPurchaseReceiptB,
  expectedContent,
} from './builders.js';
import { chunkTransfer, utf8Bytes } from './chunking.js';
import type { SubmittedPurchaseOrder } from './document.schema.js';

// A whole transfer of 20,000 serials through the four documents, chunk by chunk, with the
// default chunking limits, against the simulator's demo sites, each made by insertOnce with the
// chunk's expected content. The serials are long (and, for the second item, multi-byte) so that
// 1,000 of one item in one row would overflow the 65,535 bytes of a TEXT column: the rows must be
// split by bytes.

const TRANSFER = 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B';
const PER_ITEM = 10_000;

/** ASCII, 72 characters. */
function longSerial(i: number): string {
  return `PIN-001/LOTE-2026-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789-SN-${String(i).padStart(8, '0')}`;
}
/** 40 characters, 70 UTF-8 bytes ("Ñ", "Ú" and "€" are multi-byte). */
function wideSerial(i: number): string {
  return `ÑANDÚ-€€€€€€€€€€€€-PIN-002-${String(i).padStart(8, '0')}`;
}

interface Answer {
  status: number;
  text: string;
  body: { data?: unknown; exc_type?: string };
}

async function call(site: RunningSite, method: string, path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit = {
    method,
    headers: { Authorization: `token ${site.apiKey}:${site.apiSecret}`, Accept: 'application/json' },
  };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const response = await fetch(`${site.url}${path}`, init);
  const text = await response.text();
  let parsed: Answer['body'] = {};
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {}
  return { status: response.status, text, body: parsed };
}

/** POST /api/resource/{doctype}; fails the test with ERPNext's answer (shortened) unless 200. */
async function insert(site: RunningSite, doctype: string, doc: object): Promise<Record<string, unknown>> {
  const answer = await call(site, 'POST', `/api/resource/${encodeURIComponent(doctype)}`, doc);
  if (answer.status !== 200) {
    throw new Error(`${site.name} ${doctype}: ${answer.status} ${answer.text.slice(0, 500)}`);
  }
  return answer.body.data as Record<string, unknown>;
}

async function inspectSerials(site: RunningSite, query: Record<string, string>): Promise<number> {
  const response = await fetch(`${site.url}/__sim/serials?${new URLSearchParams(query).toString()}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { count: number }).count;
}

function clientOf(site: RunningSite): ErpnextClient {
  return new ErpnextClient({
    id: site.name,
    name: site.name,
    base_url: site.url,
    api_key: site.apiKey,
    api_secret: site.apiSecret,
  });
}

describe('a transfer of 20,000 serials through the four documents', () => {
  let sim: Simulator;
  let a: RunningSite;
  let b: RunningSite;
  let clientA: ErpnextClient;
  let clientB: ErpnextClient;
  let manifest: TransferRequest;

  beforeAll(async () => {
    sim = await startSimulator({ sites: 'demo', inspection: true });
    const find = (name: string) => {
      const site = sim.sites.find((s) => s.name === name);
      if (site === undefined) throw new Error(`no site ${name}`);
      return site;
    };
    a = find('company-a');
    b = find('company-b');
    clientA = clientOf(a);
    clientB = clientOf(b);
    const installs: Array<[RunningSite, string]> = [
      [a, 'Purchase Order'],
      [a, 'Purchase Receipt'],
      [a, 'Delivery Note'],
      [b, 'Purchase Receipt'],
    ];
    for (const [site, dt] of installs) {
      await insert(site, 'Custom Field', {
        dt,
        label: MARKER_LABEL,
        fieldname: MARKER_FIELDNAME,
        fieldtype: 'Data',
        unique: 1,
        read_only: 1,
        no_copy: 1,
      });
    }
    const validated = validateTransferRequest({
      company_a_instance_id: 'company-a',
      company_b_instance_id: 'company-b',
      supplier: 'Proveedor de Pines SA',
      company_a_name: 'Compania A',
      company_b_customer_name: 'Compania B',
      company_a_supplier_name: 'Compania A',
      company_a_warehouse: 'Stores - CA',
      company_b_warehouse: 'Stores - CB',
      company_b_name: 'Compania B',
      items: [
        {
          item_code: 'PIN-001',
          qty: PER_ITEM,
          rate: '10.50',
          transfer_rate: '12.25',
          serials: Array.from({ length: PER_ITEM }, (_, i) => longSerial(i)),
        },
        {
          item_code: 'PIN-002',
          qty: PER_ITEM,
          rate: 3.1,
          serials: Array.from({ length: PER_ITEM }, (_, i) => wideSerial(i)),
        },
      ],
    });
    if (!validated.ok) throw new Error(JSON.stringify(validated.problems.slice(0, 5)));
    manifest = validated.value;
  });

  afterAll(async () => {
    await Promise.all([clientA?.close(), clientB?.close()]);
    await sim?.close();
  });

  it('refuses one row of 1,000 such serials (the limit the rows must respect)', async () => {
    const serials = Array.from({ length: 1000 }, (_, i) => longSerial(900_000 + i));
    expect(utf8Bytes(serials.join('\n'))).toBeGreaterThan(65_535);
    const answer = await call(b, 'POST', '/api/resource/Purchase Receipt', {
      supplier: 'Compania A',
      company: 'Compania B',
      set_warehouse: 'Stores - CB',
      items: [{ item_code: 'PIN-001', qty: 1000, rate: '1.00', serial_no: serials.join('\n') }],
      docstatus: 1,
    });
    expect(answer.status).toBe(500);
    expect(answer.text).toContain('Data too long');
  });

  it('goes through chunk by chunk with the default limits', { timeout: 90_000 }, async () => {
    const today = new Date().toISOString().slice(0, 10);
    const chunks = chunkTransfer(manifest);
    expect(chunks).toHaveLength(20);
    // Each item's 1,000 serials of a chunk need more than one row.
    for (const chunk of chunks) for (const slice of chunk.items) expect(slice.rows.length).toBeGreaterThan(1);

    for (const chunk of chunks) {
      const expected = expectedContent(chunk);
      const made = async (
        client: ErpnextClient,
        doctype: string,
        step: 'po_a' | 'pr_a' | 'dn_a' | 'pr_b',
        body: object,
      ) => {
        const m = marker(TRANSFER, step, chunk.index);
        // the bodies carry no docstatus: insertOnce submits (its default)
        expect('docstatus' in body).toBe(false);
        const result = await insertOnce(
          client,
          doctype,
          { ...body },
          { marker: m, firstDelivery: true, expected },
        );
        expect([result.outcome, result.doc.docstatus, result.doc[MARKER_FIELDNAME]]).toEqual([
          'created',
          1,
          m,
        ]);
        return result.doc;
      };
      const po = await made(
        clientA,
        'Purchase Order',
        'po_a',
        buildPurchaseOrder(manifest, TRANSFER, chunk, today),
      );
      const prA = buildPurchaseReceiptA(manifest, TRANSFER, chunk, po as unknown as SubmittedPurchaseOrder);
      await made(clientA, 'Purchase Receipt', 'pr_a', prA);
      const dn = await made(clientA, 'Delivery Note', 'dn_a', buildDeliveryNote(manifest, TRANSFER, chunk));
      const prB = buildPurchaseReceiptB(
        manifest,
        TRANSFER,
        chunk,
        String(dn.name),
        manifest.company_b_name ?? 'Compania B',
      );
      const receipt = await made(clientB, 'Purchase Receipt', 'pr_b', prB);
      expect(receipt.supplier_delivery_note).toBe(dn.name);
    }

    const total = 2 * PER_ITEM;
    expect(await inspectSerials(a, { status: 'Delivered' })).toBe(total);
    expect(await inspectSerials(a, { status: 'Active' })).toBe(0);
    expect(await inspectSerials(b, { status: 'Active', warehouse: 'Stores - CB' })).toBe(total);
    expect(await inspectSerials(b, { status: 'Active', item_code: 'PIN-002' })).toBe(PER_ITEM);

    // Every PO chunk was received in full by its own PR chunk.
    const orders = await call(
      a,
      'GET',
      `/api/resource/Purchase Order?fields=${encodeURIComponent('["name","per_received","status"]')}&limit_page_length=0`,
    );
    expect(orders.status).toBe(200);
    const list = orders.body.data as Array<{ per_received: number; status: string }>;
    expect(list).toHaveLength(20);
    for (const order of list) expect(order).toMatchObject({ per_received: 100, status: 'To Bill' });

    // The marker makes ERPNext refuse a second copy of a chunk's document.
    const [firstChunk] = chunks;
    if (firstChunk === undefined) throw new Error('no chunk');
    const again = await call(
      a,
      'POST',
      '/api/resource/Purchase Order',
      buildPurchaseOrder(manifest, TRANSFER, firstChunk, today),
    );
    expect(again.status).toBe(417);
    expect(again.body.exc_type).toBe('UniqueValidationError');

    // A retry of the step with the same cut finds the chunk's document and reuses it...
    const po0 = marker(TRANSFER, 'po_a', 0);
    const body = buildPurchaseOrder(manifest, TRANSFER, firstChunk, today);
    const retry = await insertOnce(clientA, 'Purchase Order', body, {
      marker: po0,
      expected: expectedContent(firstChunk),
    });
    expect([retry.outcome, retry.via]).toEqual(['found', 'lookup']);
    // ... but with other limits chunk 0 carries other quantities under the same marker: refused.
    const [otherCut] = chunkTransfer(manifest, { maxSerialsPerDocument: 600 });
    if (otherCut === undefined) throw new Error('no chunk');
    const error = await insertOnce(
      clientA,
      'Purchase Order',
      buildPurchaseOrder(manifest, TRANSFER, otherCut, today),
      { marker: po0, expected: expectedContent(otherCut) },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MarkerError);
    expect(error).toMatchObject({ reason: 'marker_content_mismatch', documents: [{ name: retry.doc.name }] });
  });

  it('a built body is inserted as a draft when insertOnce is told not to submit', async () => {
    const [chunk] = chunkTransfer(manifest, { maxSerialsPerDocument: 10 });
    if (chunk === undefined) throw new Error('no chunk');
    const m = marker('tr_draft', 'po_a', 0);
    const today = new Date().toISOString().slice(0, 10);
    const body = buildPurchaseOrder(manifest, 'tr_draft', chunk, today);
    const draft = await insertOnce(clientA, 'Purchase Order', body, { marker: m, submit: false });
    expect([draft.outcome, draft.doc.docstatus]).toEqual(['created', 0]);
    // the next attempt, submitting (the default), submits that draft
    const submitted = await insertOnce(clientA, 'Purchase Order', body, {
      marker: m,
      expected: expectedContent(chunk),
    });
    expect([submitted.outcome, submitted.doc.name, submitted.doc.docstatus]).toEqual([
      'submitted_draft',
      draft.doc.name,
      1,
    ]);
  });
});
