import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseOrder } from '../test-support/documents.js';
import { companyASetup } from '../test-support/master-data.js';
import { serverMessages, TestSite } from '../test-support/sim-client.js';

// The reference's idempotency section: a unique Custom Field makes the database refuse a copy.
describe('Custom Field markers', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await TestSite.start(companyASetup());
  });
  afterAll(() => site.close());

  it('installs a unique field named custom_<label>, once per doctype', async () => {
    const field = {
      dt: 'Purchase Order',
      label: 'Interco Marker',
      fieldtype: 'Data',
      unique: 1,
      read_only: 1,
      no_copy: 1,
      insert_after: 'supplier',
    };
    const created = await site.insert('Custom Field', field);
    expect(created).toMatchObject({
      name: 'Purchase Order-custom_interco_marker',
      fieldname: 'custom_interco_marker',
      unique: 1,
    });
    const again = await site.post('/api/resource/Custom Field', field);
    expect(again.status).toBe(417);
    expect(serverMessages(again)).toEqual([
      'A field with the name <strong>custom_interco_marker</strong> already exists in Purchase Order',
    ]);
  });

  it('refuses a second document with the same marker (UniqueValidationError), case-insensitively', async () => {
    const first = await site.insert(
      'Purchase Order',
      purchaseOrder({ custom_interco_marker: 'tr_1:po_a:0', docstatus: 1 }),
    );
    expect(first.custom_interco_marker).toBe('tr_1:po_a:0');
    const second = await site.post(
      '/api/resource/Purchase Order',
      purchaseOrder({ custom_interco_marker: 'TR_1:PO_A:0', docstatus: 1 }),
    );
    expect(second.status).toBe(417);
    expect(second.body.exc_type).toBe('UniqueValidationError');
    expect(serverMessages(second)).toEqual(['Interco Marker must be unique']);
    const found = await site.get(
      `/api/resource/Purchase Order?filters=${encodeURIComponent('[["custom_interco_marker","=","tr_1:po_a:0"]]')}&fields=${encodeURIComponent('["name","docstatus"]')}`,
    );
    expect(found.body.data).toEqual([{ name: first.name, docstatus: 1 }]);
  });

  it('lets documents without a marker be many (NULL never collides)', async () => {
    expect((await site.post('/api/resource/Purchase Order', purchaseOrder())).status).toBe(200);
    expect((await site.post('/api/resource/Purchase Order', purchaseOrder())).status).toBe(200);
  });

  it('keeps the marker of a cancelled document taken (the database still has the row)', async () => {
    const po = await site.insert(
      'Purchase Order',
      purchaseOrder({ custom_interco_marker: 'tr_2:po_a:0', docstatus: 1 }),
    );
    await site.post('/api/method/frappe.client.cancel', { doctype: 'Purchase Order', name: po.name });
    const copy = await site.post(
      '/api/resource/Purchase Order',
      purchaseOrder({ custom_interco_marker: 'tr_2:po_a:0' }),
    );
    expect(copy.body.exc_type).toBe('UniqueValidationError');
  });
});
