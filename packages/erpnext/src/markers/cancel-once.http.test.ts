import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErpnextClient } from '../client/erpnext-client.js';
import { ErpnextError } from '../errors/erpnext-error.js';
import { rejection } from '../test-support/rejection.js';
import { count, purchaseOrder, SimSite, sleep } from '../test-support/sim-site.js';
import { cancelOnce } from './cancel-once.js';
import { MARKER_FIELDNAME, marker } from './marker.js';
import { MarkerError } from './marker-error.js';
import { prepareInstance } from './prepare.js';

// cancelOnce against a simulated site: a normal cancel, a second cancel, a cancel whose answer is
// lost, a cancel that loses the race to another one, a cancel refused because a submitted receipt
// links to the order, and a draft.

const PO = 'Purchase Order';
const GET = 'GET /api/resource/:doctype/:name';
const CANCEL = 'POST /api/method/frappe.client.cancel';

describe('cancelOnce', () => {
  let site: SimSite;
  const clients: ErpnextClient[] = [];
  let client: ErpnextClient;
  const make = (): ErpnextClient => {
    const made = new ErpnextClient(site.config(), { retry: { baseDelayMs: 20 } });
    clients.push(made);
    return made;
  };
  beforeAll(async () => {
    site = await SimSite.start();
  });
  beforeEach(async () => {
    await site.reset();
    client = make();
    await prepareInstance(client);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => site.close());

  async function submittedOrder(): Promise<string> {
    return (await client.insert(PO, purchaseOrder(), { submit: true })).name;
  }

  async function storedStatus(name: string): Promise<unknown> {
    return (await site.documents(PO)).find((doc) => doc.name === name)?.docstatus;
  }

  it('cancels a submitted document: one read, one cancel', async () => {
    const name = await submittedOrder();
    await site.resetRequests();
    const result = await cancelOnce(client, PO, name);
    expect([result.outcome, result.doc.name, result.doc.docstatus]).toEqual(['cancelled', name, 2]);
    const stats = await site.requests();
    expect([count(stats, GET), count(stats, CANCEL)]).toEqual([1, 1]);
    expect(await storedStatus(name)).toBe(2);
  });

  it('a second call answers already_cancelled and sends no cancel', async () => {
    const name = await submittedOrder();
    expect((await cancelOnce(client, PO, name)).outcome).toBe('cancelled');
    await site.resetRequests();
    const again = await cancelOnce(client, PO, name);
    expect([again.outcome, again.doc.docstatus]).toEqual(['already_cancelled', 2]);
    const stats = await site.requests();
    expect([count(stats, GET), count(stats, CANCEL)]).toEqual([1, 0]);
  });

  it('commit-then-drop on the cancel: reads it again, cancelled, without cancelling twice', async () => {
    const name = await submittedOrder();
    await site.setFaults({
      rules: [{ match: { method: 'frappe.client.cancel' }, commit_then_drop: true, times: 1 }],
    });
    await site.resetRequests();
    const result = await cancelOnce(client, PO, name);
    expect([result.outcome, result.doc.name, result.doc.docstatus]).toEqual(['cancelled', name, 2]);
    const stats = await site.requests();
    expect([count(stats, GET), count(stats, CANCEL)]).toEqual([2, 1]);
    expect(await storedStatus(name)).toBe(2);
  });

  it('a lost answer with nothing committed (504): rethrows the transient error, cancels once', async () => {
    const name = await submittedOrder();
    await site.setFaults({
      rules: [{ match: { method: 'frappe.client.cancel' }, error_rates: { '504': 1 }, times: 1 }],
    });
    await site.resetRequests();
    const error = await rejection(cancelOnce(client, PO, name));
    expect(error).toBeInstanceOf(ErpnextError);
    expect(error).toMatchObject({ kind: 'transient', outcomeUnknown: true, status: 504 });
    const stats = await site.requests();
    expect([count(stats, GET), count(stats, CANCEL)]).toEqual([2, 1]);
    expect(await storedStatus(name)).toBe(1);
    // the next attempt cancels it
    expect((await cancelOnce(client, PO, name)).outcome).toBe('cancelled');
  });

  it('cancelled by someone else between the read and the cancel (417 "Cannot edit cancelled document"): cancelled', async () => {
    const name = await submittedOrder();
    const other = make();
    // this call's cancel waits before it runs, so the other cancel lands first
    await site.setFaults({
      rules: [{ match: { method: 'frappe.client.cancel' }, latency_ms: 600, times: 1 }],
    });
    await site.resetRequests();
    const pending = cancelOnce(client, PO, name);
    for (let i = 0; i < 100 && count(await site.requests(), CANCEL) === 0; i++) await sleep(10);
    await sleep(50);
    expect((await other.cancel(PO, name)).docstatus).toBe(2);
    const result = await pending;
    expect([result.outcome, result.doc.docstatus]).toEqual(['cancelled', 2]);
    const stats = await site.requests();
    expect([count(stats, GET), count(stats, CANCEL)]).toEqual([2, 2]);
  });

  it('LinkExistsError (a submitted receipt against the order): the permanent error, no retry', async () => {
    const po = await client.insert(PO, purchaseOrder(), { submit: true });
    const rows = po.items as Array<{ name: string }>;
    const [row] = rows;
    if (row === undefined) throw new Error('the order has no row');
    const receipt = await client.insert(
      'Purchase Receipt',
      {
        supplier: 'Proveedor de Pines SA',
        company: 'Compania A',
        set_warehouse: 'Stores - CA',
        items: [
          {
            item_code: 'PIN-001',
            qty: 2,
            rate: 10.5,
            serial_no: 'LINK-1\nLINK-2',
            purchase_order: po.name,
            purchase_order_item: row.name,
          },
        ],
      },
      { submit: true },
    );
    await site.resetRequests();
    const error = await rejection(cancelOnce(client, PO, po.name));
    if (!(error instanceof ErpnextError)) throw error;
    expect([error.kind, error.status, error.excType]).toEqual(['permanent', 417, 'LinkExistsError']);
    expect(error.messages.join(' ')).toContain(`Cannot delete or cancel because Purchase Order`);
    expect(error.messages.join(' ')).toContain(String(receipt.name));
    const stats = await site.requests();
    expect([count(stats, GET), count(stats, CANCEL)]).toEqual([1, 1]);
    expect(await storedStatus(po.name)).toBe(1);
  });

  it('a draft: a permanent MarkerError saying to delete or leave it, and no cancel', async () => {
    const m = marker('tr_cancel', 'po_a', 0);
    const draft = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }));
    await site.resetRequests();
    const error = await rejection(cancelOnce(client, PO, draft.name));
    if (!(error instanceof MarkerError)) throw error;
    expect([error.kind, error.reason, error.retryable, error.doctype, error.marker]).toEqual([
      'permanent',
      'draft_not_cancellable',
      false,
      PO,
      m,
    ]);
    expect(error.documents.map((doc) => [doc.name, doc.docstatus])).toEqual([[draft.name, 0]]);
    expect(error.messages[0]).toContain('cannot cancel a draft');
    expect(error.messages[1]).toContain('delete the draft or leave it');
    expect(count(await site.requests(), CANCEL)).toBe(0);
    expect(await storedStatus(draft.name)).toBe(0);
  });

  it('a document that does not exist: not_found', async () => {
    const error = await rejection(cancelOnce(client, PO, 'PUR-ORD-2099-99999'));
    expect(error).toMatchObject({ name: 'ErpnextError', reason: 'not_found' });
    expect(count(await site.requests(), CANCEL)).toBe(0);
  });
});
