import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { purchaseOrder, purchaseReceipt } from '../test-support/documents.js';
import { companyASetup } from '../test-support/master-data.js';
import { type Answer, serverMessages, TestSite } from '../test-support/sim-client.js';

// Overlapping requests behave as in MariaDB (InnoDB row locks): a write that needs a row, unique
// value or naming series another open transaction holds waits for it, then sees its commit.
describe('concurrent requests', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await TestSite.start(companyASetup());
  });
  beforeEach(() => site.site.reset());
  afterAll(() => site.close());

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Runs requests and records the order their answers arrived in. */
  async function inOrder(requests: Array<[string, Promise<Answer>]>): Promise<Array<[string, Answer]>> {
    const arrived: Array<[string, Answer]> = [];
    await Promise.all(
      requests.map(([label, pending]) => pending.then((answer) => arrived.push([label, answer]))),
    );
    return arrived;
  }
  const marker = async () => {
    await site.insert('Custom Field', {
      dt: 'Purchase Order',
      label: 'Interco Marker',
      fieldtype: 'Data',
      unique: 1,
    });
  };
  const slowFirstWrite = (ms: number) =>
    site.site.faults.set({ rules: [{ match: { http_method: 'POST' }, slow_commit_ms: ms, times: 1 }] });

  it('the same marker twice at once: the first insert wins, the second waits and then fails', async () => {
    await marker();
    slowFirstWrite(400);
    const first = site.post('/api/resource/Purchase Order', purchaseOrder({ custom_interco_marker: 'k-1' }));
    await sleep(50);
    const second = site.post('/api/resource/Purchase Order', purchaseOrder({ custom_interco_marker: 'K-1' }));
    const arrived = await inOrder([
      ['first', first],
      ['second', second],
    ]);
    expect(arrived.map(([label, answer]) => [label, answer.status])).toEqual([
      ['first', 200],
      ['second', 417],
    ]);
    const [, refused] = arrived[1] ?? [];
    expect(refused?.body.exc_type).toBe('UniqueValidationError');
    expect(serverMessages(refused as Answer)).toEqual(['Interco Marker must be unique']);
  });

  it('two receipts of the same serial at once: one is refused, the order counts only the other', async () => {
    const po = await site.insert('Purchase Order', { ...purchaseOrder({}, { qty: 10 }), docstatus: 1 });
    slowFirstWrite(400);
    const first = site.post('/api/resource/Purchase Receipt', {
      ...purchaseReceipt(po, ['X-1', 'X-2', 'X-3']),
      docstatus: 1,
    });
    await sleep(50);
    const second = site.post('/api/resource/Purchase Receipt', {
      ...purchaseReceipt(po, ['X-4', 'X-1']),
      docstatus: 1,
    });
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(417);
    expect(b.body.exc_type).toBe('SerialNoDuplicateError');
    const order = await site.getDoc('Purchase Order', po.name);
    expect((order.items as Array<Record<string, unknown>>)[0]?.received_qty).toBe(3);
  });

  it('two receipts against one order row at once both count (no lost update), and over-receipt is seen', async () => {
    const po = await site.insert('Purchase Order', { ...purchaseOrder({}, { qty: 4 }), docstatus: 1 });
    slowFirstWrite(300);
    const first = site.post('/api/resource/Purchase Receipt', {
      ...purchaseReceipt(po, ['Y-1', 'Y-2', 'Y-3']),
      docstatus: 1,
    });
    await sleep(50);
    const second = site.post('/api/resource/Purchase Receipt', {
      ...purchaseReceipt(po, ['Y-4', 'Y-5']),
      docstatus: 1,
    });
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(417);
    expect(b.body.exc_type).toBe('OverAllowanceError');
    const third = await site.post('/api/resource/Purchase Receipt', {
      ...purchaseReceipt(po, ['Y-4']),
      docstatus: 1,
    });
    expect(third.status).toBe(200);
    expect((await site.getDoc('Purchase Order', po.name)).per_received).toBe(100);
  });

  it('a naming series waits for the transaction holding it, and a rolled-back one leaves no gap', async () => {
    slowFirstWrite(300);
    const first = site.post('/api/resource/Purchase Order', purchaseOrder());
    await sleep(50);
    const second = site.post('/api/resource/Purchase Order', purchaseOrder());
    const names = (await Promise.all([first, second])).map(
      (answer) => (answer.body.data as { name: string }).name,
    );
    const year = new Date().getUTCFullYear();
    expect(names).toEqual([`PUR-ORD-${year}-00001`, `PUR-ORD-${year}-00002`]);

    site.site.faults.set({
      worker_timeout_ms: 200,
      rules: [{ match: { http_method: 'POST' }, slow_commit_ms: 500, times: 1 }],
    });
    expect((await site.post('/api/resource/Purchase Order', purchaseOrder())).status).toBe(504);
    site.site.faults.set({});
    expect((await site.insert('Purchase Order', purchaseOrder())).name).toBe(`PUR-ORD-${year}-00003`);
  });

  it('a write waiting longer than the lock wait timeout fails with QueryTimeoutError', async () => {
    site.site.faults.set({
      lock_wait_timeout_ms: 150,
      rules: [{ match: { http_method: 'POST' }, slow_commit_ms: 600, times: 1 }],
    });
    const first = site.post('/api/resource/Purchase Order', purchaseOrder());
    await sleep(50);
    const second = await site.post('/api/resource/Purchase Order', purchaseOrder());
    expect(second.status).toBe(500);
    expect(second.body.exc_type).toBe('QueryTimeoutError');
    expect((await first).status).toBe(200);
  });

  it('a request still running when the site is reset cannot commit into the fresh site', async () => {
    slowFirstWrite(300);
    const pending = site.post('/api/resource/Supplier', { supplier_name: 'Ghost SA' });
    await sleep(50);
    site.site.reset();
    await pending;
    expect((await site.get('/api/resource/Supplier/Ghost SA')).status).toBe(404);
  });

  it('a commit-then-drop rule with times: 1 is not used up by a write that failed', async () => {
    site.site.faults.set({
      rules: [{ match: { doctype: 'Purchase Order' }, commit_then_drop: true, times: 1 }],
    });
    expect(
      (await site.post('/api/resource/Purchase Order', purchaseOrder({ supplier: 'Nadie' }))).status,
    ).toBe(417);
    await expect(site.post('/api/resource/Purchase Order', purchaseOrder())).rejects.toThrow();
    expect((await site.get('/api/resource/Purchase Order')).body.data).toHaveLength(1);
  });
});
