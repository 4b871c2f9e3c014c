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

// frappe/custom/doctype/custom_field/custom_field.py set_fieldname (v15), and a field's length.
describe('Custom Field names and lengths', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await TestSite.start(companyASetup('company-fields'));
  });
  afterAll(() => site.close());

  it('drops characters other than letters, digits and "_" from the label (not replaced)', async () => {
    const created = await site.insert('Custom Field', {
      dt: 'Purchase Order',
      label: 'Interco Transfer-Id',
      fieldtype: 'Data',
    });
    expect(created).toMatchObject({
      name: 'Purchase Order-custom_interco_transferid',
      fieldname: 'custom_interco_transferid',
    });
    const doubled = await site.insert('Custom Field', {
      dt: 'Purchase Order',
      label: 'A  b',
      fieldtype: 'Data',
    });
    expect(doubled.fieldname).toBe('custom_a__b');
    const given = await site.insert('Custom Field', {
      dt: 'Purchase Order',
      label: 'Whatever',
      fieldname: 'My_Given-Name',
      fieldtype: 'Data',
    });
    expect(given.fieldname).toBe('my_given-name');
    const unnamed = await site.post('/api/resource/Custom Field', {
      dt: 'Purchase Order',
      fieldtype: 'Data',
    });
    expect(unnamed.status).toBe(417);
    expect(serverMessages(unnamed)).toEqual(['Label is mandatory']);
  });

  it('holds a Data field to its own length, and clears every custom field on demand', async () => {
    site.site.meta.addCustomField('Purchase Order', {
      fieldname: 'short_code',
      label: 'Short Code',
      fieldtype: 'Data',
      length: 10,
    });
    const tooLong = await site.post(
      '/api/resource/Purchase Order',
      purchaseOrder({ short_code: 'x'.repeat(11) }),
    );
    expect(tooLong.status).toBe(417);
    expect(tooLong.body.exc_type).toBe('CharacterLengthExceededError');
    expect(serverMessages(tooLong)[0]).toMatch(
      /: 'Short Code' \(x{11}\) will get truncated, as max characters allowed is 10$/,
    );
    expect(
      (await site.post('/api/resource/Purchase Order', purchaseOrder({ short_code: 'x'.repeat(10) }))).status,
    ).toBe(200);

    site.site.meta.clearCustomFields();
    expect(site.site.meta.field('Purchase Order', 'short_code')).toBeUndefined();
    expect(site.site.meta.field('Purchase Order', 'custom_interco_transferid')).toBeUndefined();
    expect(site.site.meta.field('Purchase Order', 'supplier')).toBeDefined();
  });
});
