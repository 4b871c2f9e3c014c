import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryNote, purchaseOrder, purchaseReceipt } from '../test-support/documents.js';
import { companyASetup } from '../test-support/master-data.js';
import { TestSite } from '../test-support/sim-client.js';

// The reference's "limits of one request" and the faults.
describe('limits of one request', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await TestSite.start(companyASetup());
  });
  afterAll(() => site.close());

  it('refuses a request line over 4,094 bytes as gunicorn does (400)', async () => {
    const filters = encodeURIComponent(
      JSON.stringify([['name', 'in', Array.from({ length: 400 }, (_, i) => `SERIAL-${i}`)]]),
    );
    const answer = await site.get(`/api/resource/Serial No?filters=${filters}`);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Request Line is too large (');
    expect(answer.text).toContain('&gt; 4094)');
  });

  it('takes the same filter through frappe.client.get_list by POST', async () => {
    const answer = await site.post('/api/method/frappe.client.get_list', {
      doctype: 'Serial No',
      filters: [['name', 'in', Array.from({ length: 400 }, (_, i) => `SERIAL-${i}`)]],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.message).toEqual([]);
  });

  it('answers a body over 25 MiB with 413', async () => {
    const answer = await site.post('/api/resource/Supplier', {
      supplier_name: 'Big',
      note: 'x'.repeat(25 * 1024 * 1024),
    });
    expect(answer.status).toBe(413);
    expect(answer.text).toContain('Request Entity Too Large');
  });

  it('fails a Text field over 65,535 bytes with a 500 DataError and writes nothing', async () => {
    const serialList = Array.from({ length: 3500 }, (_, i) => `SERIAL-NUMBER-${String(i).padStart(6, '0')}`);
    const answer = await site.post('/api/resource/Delivery Note', {
      customer: 'Compania B',
      company: 'Compania A',
      set_warehouse: 'Stores - CA',
      items: [{ item_code: 'PIN-001', qty: serialList.length, serial_no: serialList.join('\n') }],
    });
    expect(answer.status).toBe(500);
    expect(answer.body.exc_type).toBe('DataError');
    expect(answer.body.exception).toBe(
      `pymysql.err.DataError: (1406, "Data too long for column 'serial_no' at row 1")`,
    );
    expect((await site.get('/api/resource/Delivery Note')).body.data).toEqual([]);
  });
});

describe('faults', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await TestSite.start(companyASetup());
  });
  beforeEach(() => site.site.reset());
  afterAll(() => site.close());

  const orders = async () =>
    ((await site.get('/api/resource/Purchase Order?limit_page_length=0')).body.data as unknown[]).length;

  it('commit-then-drop: the document exists although the client saw the connection drop', async () => {
    site.site.faults.set({
      rules: [{ match: { doctype: 'Purchase Order' }, commit_then_drop: true, times: 1 }],
    });
    await expect(site.post('/api/resource/Purchase Order', purchaseOrder())).rejects.toThrow();
    expect(await orders()).toBe(1);
    // the rule was used up: the next write answers normally
    expect((await site.post('/api/resource/Purchase Order', purchaseOrder())).status).toBe(200);
    expect(await orders()).toBe(2);
  });

  it('slow commit: a lookup before the commit finds nothing, one after finds the document', async () => {
    site.site.faults.set({
      rules: [{ match: { doctype: 'Purchase Order', http_method: 'POST' }, slow_commit_ms: 600 }],
    });
    const write = site.post('/api/resource/Purchase Order', purchaseOrder());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await orders()).toBe(0);
    expect((await write).status).toBe(200);
    expect(await orders()).toBe(1);
  });

  it('slow_commit_rate: only the writes its roll picks commit late (0: none, 1: every one)', async () => {
    const match = { doctype: 'Purchase Order', http_method: 'POST' };
    site.site.faults.set({ rules: [{ match, slow_commit_ms: 600, slow_commit_rate: 0 }] });
    let started = Date.now();
    expect((await site.post('/api/resource/Purchase Order', purchaseOrder())).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(400);

    site.site.faults.set({ rules: [{ match, slow_commit_ms: 600, slow_commit_rate: 1 }] });
    started = Date.now();
    const write = site.post('/api/resource/Purchase Order', purchaseOrder());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await orders()).toBe(1);
    expect((await write).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(await orders()).toBe(2);
  });

  it('a request past the worker timeout is killed: 504, and nothing is left behind', async () => {
    site.site.faults.set({
      worker_timeout_ms: 300,
      rules: [{ match: { doctype: 'Purchase Order', http_method: 'POST' }, slow_commit_ms: 700 }],
    });
    const answer = await site.post('/api/resource/Purchase Order', purchaseOrder());
    expect(answer.status).toBe(504);
    // wait past the slow commit: a killed request must never commit late
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await orders()).toBe(0);
  });

  it('per-serial latency outlasting the worker timeout also rolls back', async () => {
    site.site.faults.set({ worker_timeout_ms: 200, rules: [{ per_serial_ms: 250 }] });
    const po = await site.insert('Purchase Order', { ...purchaseOrder(), docstatus: 1 });
    const receipt = await site.post('/api/resource/Purchase Receipt', {
      supplier: 'Proveedor de Pines SA',
      company: 'Compania A',
      set_warehouse: 'Stores - CA',
      docstatus: 1,
      items: [
        {
          item_code: 'PIN-001',
          qty: 2,
          serial_no: 'L-1\nL-2',
          purchase_order: po.name,
          purchase_order_item: (po.items as Array<{ name: string }>)[0]?.name,
        },
      ],
    });
    expect(receipt.status).toBe(504);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(site.site.serialLedger()).toEqual([]);
  });

  it('per-serial latency applies to a cancel too: past the worker timeout it rolls back', async () => {
    const po = await site.insert('Purchase Order', { ...purchaseOrder(), docstatus: 1 });
    await site.insert('Purchase Receipt', { ...purchaseReceipt(po, ['M-1', 'M-2']), docstatus: 1 });
    const dn = await site.insert('Delivery Note', { ...deliveryNote(['M-1', 'M-2']), docstatus: 1 });
    site.site.faults.set({ worker_timeout_ms: 200, rules: [{ per_serial_ms: 250 }] });
    const cancel = await site.post('/api/method/frappe.client.cancel', {
      doctype: 'Delivery Note',
      name: dn.name,
    });
    expect(cancel.status).toBe(504);
    await new Promise((resolve) => setTimeout(resolve, 300));
    site.site.faults.set({});
    expect((await site.getDoc('Delivery Note', dn.name)).docstatus).toBe(1);
    expect((await site.getDoc('Serial No', 'M-1')).status).toBe('Delivered');
  });

  it.each([
    ['deadlock', 500, 'QueryDeadlockError'],
    ['lock_timeout', 500, 'QueryTimeoutError'],
    ['500', 500, 'Exception'],
  ] as const)('injects %s as a %i %s', async (kind, status, excType) => {
    site.site.faults.set({ rules: [{ error_rates: { [kind]: 1 }, times: 1 }] });
    const answer = await site.post('/api/resource/Purchase Order', purchaseOrder());
    expect(answer.status).toBe(status);
    expect(answer.body.exc_type).toBe(excType);
    expect(await orders()).toBe(0);
  });

  it('injects 429 with Retry-After, and 502/503/504 as nginx pages', async () => {
    site.site.faults.set({ rules: [{ error_rates: { '429': 1 }, retry_after_s: 7, times: 1 }] });
    const limited = await site.get('/api/resource/Company');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.exc_type).toBe('TooManyRequestsError');
    for (const status of ['502', '503', '504'] as const) {
      site.site.faults.set({ rules: [{ error_rates: { [status]: 1 }, times: 1 }] });
      const answer = await site.get('/api/resource/Company');
      expect(answer.status).toBe(Number(status));
      expect(answer.text).toContain('nginx');
    }
  });

  it('targets faults by doctype and method', async () => {
    site.site.faults.set({
      rules: [{ match: { method: 'frappe.client.submit' }, error_rates: { deadlock: 1 } }],
    });
    expect((await site.post('/api/resource/Purchase Order', purchaseOrder())).status).toBe(200);
    const draft = await site.insert('Purchase Order', purchaseOrder());
    const doc = await site.getDoc('Purchase Order', draft.name);
    expect((await site.post('/api/method/frappe.client.submit', { doc })).body.exc_type).toBe(
      'QueryDeadlockError',
    );
  });

  it('queues beyond K workers: 40 concurrent requests, never more than 4 at once, all served', async () => {
    site.site.faults.set({ workers: 4, rules: [{ latency_ms: 20 }] });
    site.site.faults.pool.resetStats();
    const answers = await Promise.all(Array.from({ length: 40 }, () => site.get('/api/resource/Company')));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const stats = site.site.faults.pool.stats();
    expect(stats.max_busy).toBe(4);
    expect(stats.max_queued).toBeGreaterThan(0);
    expect(stats.served).toBe(40);
  });
});
