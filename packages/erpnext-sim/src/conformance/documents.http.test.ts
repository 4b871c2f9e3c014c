import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliveryNote, purchaseOrder, purchaseReceipt, today } from '../test-support/documents.js';
import { companyASetup } from '../test-support/master-data.js';
import { type Answer, serverMessages, TestSite } from '../test-support/sim-client.js';

// The reference's "four documents" and "settings that block the flow"; messages from
// docs/frappe-facts.md §5 and §7 (erpnext buying/stock controllers).
describe('the four documents', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await TestSite.start(companyASetup());
  });
  beforeEach(() => site.site.reset());
  afterAll(() => site.close());

  const submitted = (doctype: string, body: Record<string, unknown>) =>
    site.insert(doctype, { ...body, docstatus: 1 });
  /** The first `_server_messages` entry, decoded (message, title, indicator...). */
  const firstMessage = (answer: Answer) =>
    (JSON.parse(String(JSON.parse(String(answer.body._server_messages))[0])) ?? {}) as Record<
      string,
      unknown
    >;
  const refused = async (doctype: string, body: Record<string, unknown>) => {
    const answer = await site.post(`/api/resource/${doctype}`, { ...body, docstatus: 1 });
    expect(answer.status, answer.text).toBe(417);
    return {
      excType: answer.body.exc_type,
      messages: serverMessages(answer),
      exception: answer.body.exception,
    };
  };

  describe('Purchase Order', () => {
    it('is named PUR-ORD-<year>-<5 digits>, numbered per series', async () => {
      const first = await submitted('Purchase Order', purchaseOrder());
      const second = await submitted('Purchase Order', purchaseOrder());
      const year = new Date().getUTCFullYear();
      expect(first.name).toBe(`PUR-ORD-${year}-00001`);
      expect(second.name).toBe(`PUR-ORD-${year}-00002`);
    });

    it('needs a Reqd by Date on the parent or the rows', async () => {
      const { schedule_date: _, ...body } = purchaseOrder();
      expect(await refused('Purchase Order', body)).toMatchObject({
        excType: 'ValidationError',
        messages: ['Please enter Reqd by Date'],
      });
    });

    it('refuses a Reqd by Date before the transaction date', async () => {
      const result = await refused('Purchase Order', purchaseOrder({ schedule_date: '2000-01-01' }));
      expect(result.messages).toEqual(['Row #1: Reqd by Date cannot be before Transaction Date']);
    });

    it('takes the earliest row date as the parent Reqd by Date, even over a later parent date', async () => {
      const next = `${new Date().getUTCFullYear() + 1}`;
      const body = purchaseOrder({ schedule_date: `${next}-12-31` }, { schedule_date: `${next}-06-01` });
      body.items = [...(body.items as unknown[]), { item_code: 'PIN-002', qty: 1, rate: 5 }];
      const po = await submitted('Purchase Order', body);
      expect(po.schedule_date).toBe(`${next}-06-01`);
      // the row without a date takes the parent's new one, not the date the client sent
      expect((po.items as Array<Record<string, unknown>>).map((row) => row.schedule_date)).toEqual([
        `${next}-06-01`,
        `${next}-06-01`,
      ]);
    });

    it('copies the parent date to the rows', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      expect((po.items as Array<Record<string, unknown>>)[0]?.schedule_date).toBe(today());
    });

    it('refuses a warehouse of another company', async () => {
      const result = await refused('Purchase Order', purchaseOrder({ set_warehouse: 'Stores - OS' }));
      expect(result).toMatchObject({
        excType: 'InvalidWarehouseCompany',
        messages: ['Warehouse Stores - OS does not belong to company Compania A'],
      });
    });

    it('refuses unknown master data with the field label', async () => {
      expect((await refused('Purchase Order', purchaseOrder({ company: 'Nadie SA' }))).messages).toEqual([
        'Could not find Company: Nadie SA',
      ]);
      expect((await refused('Purchase Order', purchaseOrder({}, { item_code: 'NOPE' }))).messages).toEqual([
        'Could not find Row #1: Item Code: NOPE',
      ]);
    });

    it('refuses the same item twice only when Buying Settings say so', async () => {
      const twice = purchaseOrder();
      twice.items = [...(twice.items as unknown[]), ...(twice.items as unknown[])];
      expect((await site.post('/api/resource/Purchase Order', twice)).status).toBe(200);
      await site.put('/api/resource/Buying Settings/Buying Settings', { allow_multiple_items: 0 });
      expect((await refused('Purchase Order', twice)).messages).toEqual([
        'Same item cannot be entered multiple times.',
      ]);
    });

    it('needs submit permission', async () => {
      const answer = await site
        .as('token key-clerk:secret-clerk')
        .post('/api/resource/Delivery Note', { ...deliveryNote(['X']), docstatus: 1 });
      expect(answer.status).toBe(403);
      expect(answer.body.exc_type).toBe('PermissionError');
      expect(answer.body._error_message).toBe(
        'Insufficient Permission for Delivery Note (<strong>submit</strong>)',
      );
    });
  });

  it('checks submit permission before the links (403, not a link error)', async () => {
    const answer = await site
      .as('token key-clerk:secret-clerk')
      .post('/api/resource/Delivery Note', { ...deliveryNote(['X'], { customer: 'Nadie' }), docstatus: 1 });
    expect(answer.status).toBe(403);
    expect(answer.body.exc_type).toBe('PermissionError');
    expect(answer.body._error_message).toBe(
      'Insufficient Permission for Delivery Note (<strong>submit</strong>)',
    );
  });

  describe('Purchase Receipt against the order', () => {
    it('moves the order row through purchase_order_item and sets serials Active in the warehouse', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const pr = await submitted('Purchase Receipt', purchaseReceipt(po, ['SN-1', 'SN-2']));
      expect(pr.name).toMatch(/^MAT-PRE-\d{4}-00001$/);
      const order = await site.getDoc('Purchase Order', po.name);
      expect((order.items as Array<Record<string, unknown>>)[0]?.received_qty).toBe(2);
      expect(order).toMatchObject({ per_received: 100, status: 'To Bill' });
      const serial = await site.getDoc('Serial No', 'SN-1');
      expect(serial).toMatchObject({
        status: 'Active',
        warehouse: 'Stores - CA',
        item_code: 'PIN-001',
        company: 'Compania A',
      });
    });

    it('leaves the order untouched without purchase_order_item', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const body = purchaseReceipt(po, ['SN-3', 'SN-4']);
      delete (body.items as Array<Record<string, unknown>>)[0]?.purchase_order_item;
      await submitted('Purchase Receipt', body);
      expect((await site.getDoc('Purchase Order', po.name)).per_received).toBe(0);
    });

    it('takes its rows from the mapper, which needs a submitted order', async () => {
      const draft = await site.insert('Purchase Order', purchaseOrder());
      const refusedMap = await site.post(
        '/api/method/erpnext.buying.doctype.purchase_order.purchase_order.make_purchase_receipt',
        { source_name: draft.name },
      );
      expect(refusedMap.status).toBe(417);
      expect(serverMessages(refusedMap)).toEqual([
        'Cannot map because following condition fails: docstatus=1',
      ]);

      const po = await submitted('Purchase Order', purchaseOrder());
      const mapped = await site.post(
        '/api/method/erpnext.buying.doctype.purchase_order.purchase_order.make_purchase_receipt',
        { source_name: po.name },
      );
      const doc = mapped.body.message as Record<string, unknown> & { items: Array<Record<string, unknown>> };
      expect(doc.docstatus).toBe(0);
      // an unsaved Document, written without nulls: no name yet, __islocal kept
      expect(doc.__islocal).toBe(1);
      expect(doc).not.toHaveProperty('name');
      expect(Object.values(doc).includes(null)).toBe(false);
      expect(Object.values(doc.items[0] ?? {}).includes(null)).toBe(false);
      expect(doc.items[0]).not.toHaveProperty('name');
      expect(doc.items[0]).toMatchObject({ purchase_order: po.name, qty: 2 });
      expect(doc.items[0]?.purchase_order_item).toBe((po.items as Array<{ name: string }>)[0]?.name);
      if (doc.items[0]) doc.items[0].serial_no = 'SN-5\nSN-6';
      const { name: _n, __islocal: _l, ...body } = doc;
      await submitted('Purchase Receipt', body);
      expect((await site.getDoc('Purchase Order', po.name)).per_received).toBe(100);
    });

    it('refuses receiving more than ordered, at submit', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const draft = await site.insert('Purchase Receipt', purchaseReceipt(po, ['SN-7', 'SN-8', 'SN-9']));
      expect(draft.docstatus).toBe(0);
      const answer = await site.put(`/api/resource/Purchase Receipt/${draft.name}`, { docstatus: 1 });
      expect(answer.status).toBe(417);
      expect(answer.body.exc_type).toBe('OverAllowanceError');
      expect(serverMessages(answer)[0]).toContain(
        'This document is over limit by <strong>Qty</strong> <strong>1</strong> for item <strong>PIN-001</strong>.',
      );
    });

    it('refuses a receipt without an order when Buying Settings require one', async () => {
      await site.put('/api/resource/Buying Settings/Buying Settings', { po_required: 'Yes' });
      const body = purchaseReceipt({ name: '' }, ['SN-10']);
      const row = (body.items as Array<Record<string, unknown>>)[0] ?? {};
      delete row.purchase_order;
      delete row.purchase_order_item;
      expect((await refused('Purchase Receipt', body)).messages).toEqual([
        'Purchase Order number required for Item PIN-001',
      ]);
    });

    it('refuses a posting while stock is frozen', async () => {
      await site.put('/api/resource/Stock Settings/Stock Settings', { stock_frozen_upto: today() });
      const po = await submitted('Purchase Order', purchaseOrder());
      const result = await refused('Purchase Receipt', purchaseReceipt(po, ['SN-11', 'SN-12']));
      expect(result.excType).toBe('StockFreezeError');
      expect(result.messages[0]).toMatch(/^Stock transactions before \d{2}-\d{2}-\d{4} are frozen$/);
    });

    it('refuses a posting date outside any fiscal year', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const result = await refused(
        'Purchase Receipt',
        purchaseReceipt(po, ['SN-13', 'SN-14'], { set_posting_time: 1, posting_date: '1999-06-01' }),
      );
      expect(result.excType).toBe('FiscalYearError');
      expect(result.messages).toEqual([
        'Date 01-06-1999 is not in any active Fiscal Year for <strong>Compania A</strong>',
      ]);
    });
  });

  describe('posting and free fields', () => {
    it('sets posting date and time to the server’s now unless set_posting_time', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const pr = await submitted(
        'Purchase Receipt',
        purchaseReceipt(po, ['P-1', 'P-2'], { posting_date: '2001-01-01' }),
      );
      expect(pr.posting_date).toBe(today());
      expect(pr.posting_time).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{6}$/);
      // .YYYY. in the series is the server's year, not the client's posting_date
      expect(pr.name).toBe(`MAT-PRE-${new Date().getUTCFullYear()}-00001`);
      const dated = await site.insert(
        'Delivery Note',
        deliveryNote(['Z-1'], { set_posting_time: 1, posting_date: today(), posting_time: '08:30:00' }),
      );
      expect(dated).toMatchObject({ posting_date: today(), posting_time: '08:30:00' });
    });

    it('keeps supplier_delivery_note and po_no as given (free, not unique)', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const pr = await submitted(
        'Purchase Receipt',
        purchaseReceipt(po, ['Q-1', 'Q-2'], { supplier_delivery_note: 'MAT-DN-2026-00007' }),
      );
      expect(pr.supplier_delivery_note).toBe('MAT-DN-2026-00007');
      const first = await site.insert('Delivery Note', deliveryNote(['Q-1'], { po_no: 'tr_1' }));
      const second = await site.insert('Delivery Note', deliveryNote(['Q-2'], { po_no: 'tr_1' }));
      expect([first.po_no, second.po_no]).toEqual(['tr_1', 'tr_1']);
    });
  });

  describe('Delivery Note', () => {
    it('takes the customer’s price list, delivers serials and marks them Delivered', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      await submitted('Purchase Receipt', purchaseReceipt(po, ['SN-20', 'SN-21']));
      const dn = await submitted('Delivery Note', deliveryNote(['SN-20', 'SN-21']));
      expect(dn.name).toMatch(/^MAT-DN-\d{4}-00001$/);
      expect(dn.selling_price_list).toBe('Standard Selling');
      const serial = await site.getDoc('Serial No', 'SN-21');
      expect(serial.status).toBe('Delivered');
      expect(serial.warehouse).toBeUndefined();
    });

    it('needs a price list (customer, then Selling Settings)', async () => {
      const result = await refused('Delivery Note', deliveryNote(['X-1'], { customer: 'Sin Lista' }));
      expect(result).toMatchObject({
        excType: 'MandatoryError',
        messages: ['Error: Value missing for Delivery Note: Price List'],
      });
    });

    it('refuses without a Sales Order when Selling Settings require one', async () => {
      await site.put('/api/resource/Selling Settings/Selling Settings', { so_required: 'Yes' });
      expect((await refused('Delivery Note', deliveryNote(['X-2']))).messages).toEqual([
        'Sales Order required for Item PIN-001',
      ]);
    });

    it('refuses serials that are not in that warehouse', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      await submitted('Purchase Receipt', purchaseReceipt(po, ['SN-30', 'SN-31']));
      const result = await refused(
        'Delivery Note',
        deliveryNote(['SN-30', 'SN-31'], { set_warehouse: 'Returns - CA' }),
      );
      expect(result).toMatchObject({
        excType: 'SerialNoWarehouseError',
        messages: [
          'Serial No <strong>SN-30</strong> is not present in the warehouse <strong>Returns - CA</strong>.',
        ],
      });
      expect((await refused('Delivery Note', deliveryNote(['NEVER-SEEN']))).excType).toBe(
        'SerialNoWarehouseError',
      );
    });
  });

  describe('serial numbers', () => {
    it('splits the text on line breaks and commas, trimming each', async () => {
      const po = await submitted('Purchase Order', purchaseOrder({}, { qty: 3 }));
      const body = purchaseReceipt(po, []);
      Object.assign((body.items as Array<Record<string, unknown>>)[0] ?? {}, {
        qty: 3,
        serial_no: ' A-1 ,A-2\n\n A-3 ',
      });
      await submitted('Purchase Receipt', body);
      for (const serial of ['A-1', 'A-2', 'A-3'])
        expect((await site.getDoc('Serial No', serial)).status).toBe('Active');
    });

    it('needs as many serials as the quantity', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const body = purchaseReceipt(po, ['B-1']);
      Object.assign((body.items as Array<Record<string, unknown>>)[0] ?? {}, { qty: 2 });
      const result = await refused('Purchase Receipt', body);
      expect(result).toMatchObject({
        excType: 'SerialNoQtyError',
        messages: ['Row #1: 2 Serial Numbers required for Item PIN-001. You have provided 1.'],
      });
    });

    it('refuses a serial twice in one document, whatever its letter case', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const result = await refused('Purchase Receipt', purchaseReceipt(po, ['C-1', 'c-1']));
      expect(result.messages).toEqual(['Duplicate Serial No c-1 found']);
    });

    it('refuses receiving a serial already in stock, compared case-insensitively', async () => {
      const po = await submitted('Purchase Order', purchaseOrder({}, { qty: 4 }));
      const line = (po.items as Array<{ name: string }>)[0]?.name;
      await submitted('Purchase Receipt', purchaseReceipt(po, ['D-1', 'D-2']));
      const again = purchaseReceipt(po, ['d-1', 'D-3']);
      Object.assign((again.items as Array<Record<string, unknown>>)[0] ?? {}, { purchase_order_item: line });
      const result = await refused('Purchase Receipt', again);
      expect(result).toMatchObject({
        excType: 'SerialNoDuplicateError',
        messages: [
          'Serial No <strong>D-1</strong> is already present in the warehouse <strong>Stores - CA</strong>.',
        ],
      });
    });

    it('refuses serials on an item without serial numbers', async () => {
      const po = await submitted('Purchase Order', purchaseOrder({}, { item_code: 'CABLE', qty: 1 }));
      const body = purchaseReceipt(po, ['E-1']);
      expect((await refused('Purchase Receipt', body)).messages).toEqual([
        'Item CABLE is not setup for Serial Nos. Column must be blank',
      ]);
    });

    it('refuses serial numbers when Stock Settings disable them (v16)', async () => {
      await site.put('/api/resource/Stock Settings/Stock Settings', {
        enable_serial_and_batch_no_for_item: 0,
      });
      const po = await submitted('Purchase Order', purchaseOrder());
      const result = await refused('Purchase Receipt', purchaseReceipt(po, ['V-1', 'V-2']));
      expect(result.excType).toBe('ValidationError');
      expect(result.messages[0]).toContain('Enable Serial / Batch No for Item');
    });

    it('needs serials for a serialized item', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const body = purchaseReceipt(po, []);
      Object.assign((body.items as Array<Record<string, unknown>>)[0] ?? {}, { qty: 2 });
      expect((await refused('Purchase Receipt', body)).messages).toEqual([
        'Serial No / Batch No are mandatory for Item PIN-001',
      ]);
    });
  });

  describe('serials across documents', () => {
    const receive = async (serialList: string[], item = 'PIN-001') => {
      const po = await submitted(
        'Purchase Order',
        purchaseOrder({}, { item_code: item, qty: serialList.length }),
      );
      return submitted('Purchase Receipt', purchaseReceipt(po, serialList));
    };

    it('refuses delivering a serial of another item', async () => {
      await receive(['OTHER-1'], 'PIN-002');
      const answer = await site.post('/api/resource/Delivery Note', {
        ...deliveryNote(['OTHER-1']),
        docstatus: 1,
      });
      expect(answer.status).toBe(417);
      expect(answer.body.exc_type).toBe('ValidationError');
      expect(serverMessages(answer)).toEqual([
        'Serial Nos <strong>OTHER-1</strong> does not belong to Item <strong>PIN-001</strong>',
      ]);
      expect(firstMessage(answer).title).toBe('Error');
      expect((await site.getDoc('Serial No', 'OTHER-1')).status).toBe('Active');
    });

    it('refuses receiving a delivered serial again, unless Stock Settings allow existing serials', async () => {
      await receive(['R-1']);
      const dn = await submitted('Delivery Note', deliveryNote(['R-1']));
      const po = await submitted('Purchase Order', purchaseOrder({}, { qty: 1 }));
      const again = await site.post('/api/resource/Purchase Receipt', {
        ...purchaseReceipt(po, ['R-1']),
        docstatus: 1,
      });
      expect(again.status).toBe(417);
      expect(again.body.exc_type).toBe('ValidationError');
      expect(serverMessages(again)).toEqual([
        `You can't process the serial number R-1 as it has already been used in the SABB <a href="/app/serial-and-batch-bundle/${dn.name}">${dn.name}</a>. <br><br> <b>Note</b>:<br> if you want to inward same serial number multiple times then enabled 'Allow existing Serial No to be Manufactured/Received again' in the <a href="/app/stock-settings/Stock%20Settings">Stock Settings</a>`,
      ]);
      expect(firstMessage(again).title).toBe('Message');

      await site.put('/api/resource/Stock Settings/Stock Settings', { allow_existing_serial_no: 1 });
      const allowed = await site.post('/api/resource/Purchase Receipt', {
        ...purchaseReceipt(po, ['R-1']),
        docstatus: 1,
      });
      expect(allowed.status, allowed.text).toBe(200);
      const serial = await site.getDoc('Serial No', 'R-1');
      expect(serial).toMatchObject({ status: 'Active', warehouse: 'Stores - CA' });
      expect(serial.delivery_document_no).toBeUndefined();
    });

    it('refuses a Serial No created directly with a warehouse', async () => {
      const answer = await site.post('/api/resource/Serial No', {
        serial_no: 'DIRECT-1',
        item_code: 'PIN-001',
        warehouse: 'Stores - CA',
      });
      expect(answer.status).toBe(417);
      expect(answer.body.exc_type).toBe('SerialNoCannotCreateDirectError');
      expect(serverMessages(answer)).toEqual([
        'New Serial No cannot have Warehouse. Warehouse must be set by Stock Entry or Purchase Receipt',
      ]);
      expect(
        (await site.post('/api/resource/Serial No', { serial_no: 'DIRECT-2', item_code: 'PIN-001' })).status,
      ).toBe(200);
    });
  });

  describe('updating a submitted document', () => {
    it('refuses changing a table’s row count or a row’s field; an unchanged save passes', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const rows = po.items as Array<Record<string, unknown>>;
      const path = `/api/resource/Purchase Order/${po.name}`;

      const emptied = await site.put(path, { items: [] });
      expect(emptied.status).toBe(417);
      expect(emptied.body.exc_type).toBe('UpdateAfterSubmitError');
      expect(serverMessages(emptied)).toEqual([
        ' Not allowed to change <strong>Items</strong> after submission from <strong>1</strong> to <strong>0</strong>',
      ]);
      expect(firstMessage(emptied).title).toBe('Cannot Update After Submit');

      const changed = await site.put(path, { items: rows.map((row) => ({ ...row, qty: 99 })) });
      expect(changed.status).toBe(417);
      expect(changed.body.exc_type).toBe('UpdateAfterSubmitError');
      expect(serverMessages(changed)).toEqual([
        'Row #1: Not allowed to change <strong>Quantity</strong> after submission from <strong>2</strong> to <strong>99</strong>',
      ]);

      const same = await site.put(path, { items: rows, order_confirmation_no: 'OC-7' });
      expect(same.status, same.text).toBe(200);
      expect((same.body.data as Record<string, unknown>).order_confirmation_no).toBe('OC-7');
    });
  });

  describe('links back to a document', () => {
    const linkTo = (doctype: string, name: string) => `<a href="/app/Form/${doctype}/${name}">${name}</a>`;

    it('refuses deleting master data in use, cancelled documents included; a disableable one says so', async () => {
      const po = await site.insert('Purchase Order', purchaseOrder({}, { item_code: 'CABLE' }));
      const item = await site.delete('/api/resource/Item/CABLE');
      expect(item.status).toBe(417);
      expect(item.body.exc_type).toBe('LinkExistsError');
      expect(serverMessages(item)).toEqual([
        `Cannot delete or cancel because Item ${linkTo('Item', 'CABLE')} is linked with Purchase Order ${linkTo('Purchase Order', po.name)} `,
        'You can disable this Item instead of deleting it.',
      ]);
      expect(item.body.exception).toBe(
        'frappe.exceptions.LinkExistsError: You can disable this Item instead of deleting it.',
      );

      const company = await site.delete('/api/resource/Company/Otra SA');
      expect(company.status).toBe(417);
      expect(serverMessages(company)).toEqual([
        `Cannot delete or cancel because Company ${linkTo('Company', 'Otra SA')} is linked with Warehouse ${linkTo('Warehouse', 'Stores - OS')} `,
      ]);

      await site.insert('Supplier', { supplier_name: 'Solo SA' });
      const cancelled = await submitted('Purchase Order', purchaseOrder({ supplier: 'Solo SA' }));
      await site.post('/api/method/frappe.client.cancel', {
        doctype: 'Purchase Order',
        name: cancelled.name,
      });
      const supplier = await site.delete('/api/resource/Supplier/Solo SA');
      expect(supplier.status).toBe(417);
      expect(supplier.body.exc_type).toBe('LinkExistsError');
      expect(serverMessages(supplier)[0]).toBe(
        `Cannot delete or cancel because Supplier ${linkTo('Supplier', 'Solo SA')} is linked with Purchase Order ${linkTo('Purchase Order', cancelled.name)} `,
      );

      const warehouse = await site.delete('/api/resource/Warehouse/Stores - CA');
      expect(warehouse.body.exc_type).toBe('LinkExistsError');
      await site.insert('Supplier', { supplier_name: 'Unused SA' });
      expect((await site.delete('/api/resource/Supplier/Unused SA')).status).toBe(202);
    });

    it('blocks a cancel through any Link field, after the controller’s own cancel checks', async () => {
      await site.insert('Custom Field', {
        dt: 'Delivery Note',
        label: 'Source Receipt',
        fieldtype: 'Link',
        options: 'Purchase Receipt',
      });
      const po = await submitted('Purchase Order', purchaseOrder({}, { item_code: 'CABLE', qty: 1 }));
      const line = (po.items as Array<{ name: string }>)[0]?.name;
      const pr = await submitted('Purchase Receipt', {
        supplier: 'Proveedor de Pines SA',
        company: 'Compania A',
        set_warehouse: 'Stores - CA',
        items: [{ item_code: 'CABLE', qty: 1, purchase_order: po.name, purchase_order_item: line }],
      });
      const dn = await submitted(
        'Delivery Note',
        deliveryNote([], { custom_source_receipt: pr.name }, { item_code: 'CABLE', qty: 1 }),
      );
      const cancelReceipt = () =>
        site.post('/api/method/frappe.client.cancel', { doctype: 'Purchase Receipt', name: pr.name });

      await site.put('/api/resource/Stock Settings/Stock Settings', { stock_frozen_upto: today() });
      const frozen = await cancelReceipt();
      expect(frozen.status).toBe(417);
      expect(frozen.body.exc_type).toBe('StockFreezeError');

      await site.put('/api/resource/Stock Settings/Stock Settings', { stock_frozen_upto: null });
      const linked = await cancelReceipt();
      expect(linked.status).toBe(417);
      expect(linked.body.exc_type).toBe('LinkExistsError');
      expect(serverMessages(linked)).toEqual([
        `Cannot delete or cancel because Purchase Receipt ${linkTo('Purchase Receipt', pr.name)} is linked with Delivery Note ${linkTo('Delivery Note', dn.name)} `,
      ]);
      expect(
        (await site.post('/api/method/frappe.client.cancel', { doctype: 'Delivery Note', name: dn.name }))
          .status,
      ).toBe(200);
      // a cancelled document no longer blocks a cancel
      expect((await cancelReceipt()).status).toBe(200);
    });
  });

  describe('select fields', () => {
    it('refuses a value not among the options, on the parent and on child rows', async () => {
      const serial = await site.post('/api/resource/Serial No', {
        serial_no: 'SEL-1',
        item_code: 'PIN-001',
        status: 'Lost',
      });
      expect(serial.status).toBe(417);
      expect(serial.body.exc_type).toBe('ValidationError');
      expect(serverMessages(serial)).toEqual([
        ' Status cannot be "Lost". It should be one of "", "Active", "Inactive", "Consumed", "Delivered", "Expired"',
      ]);

      const settings = await site.put('/api/resource/Buying Settings/Buying Settings', {
        po_required: 'Maybe',
      });
      expect(settings.status).toBe(417);
      expect(serverMessages(settings)).toEqual([
        ' Is Purchase Order Required for Purchase Invoice & Receipt Creation? cannot be "Maybe". It should be one of "No", "Yes"',
      ]);

      await site.insert('Custom Field', {
        dt: 'Purchase Order Item',
        label: 'Grade',
        fieldtype: 'Select',
        options: 'A\nB',
      });
      const row = await site.post('/api/resource/Purchase Order', purchaseOrder({}, { custom_grade: 'C' }));
      expect(row.status).toBe(417);
      expect(serverMessages(row)).toEqual(['Row #1: Grade cannot be "C". It should be one of "A", "B"']);
      const ok = await site.insert('Purchase Order', purchaseOrder({}, { custom_grade: ' B ' }));
      expect((ok.items as Array<Record<string, unknown>>)[0]?.custom_grade).toBe('B');
      // the controllers' statuses are among the options
      const po = await submitted('Purchase Order', purchaseOrder());
      expect(po.status).toBe('To Receive and Bill');
    });
  });

  describe('cancelling', () => {
    it('goes in reverse order: a submitted receipt blocks its order (LinkExistsError)', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const pr = await submitted('Purchase Receipt', purchaseReceipt(po, ['F-1', 'F-2']));
      const blocked = await site.post('/api/method/frappe.client.cancel', {
        doctype: 'Purchase Order',
        name: po.name,
      });
      expect(blocked.status).toBe(417);
      expect(blocked.body.exc_type).toBe('LinkExistsError');
      expect(serverMessages(blocked)).toEqual([
        `Cannot delete or cancel because Purchase Order <a href="/app/Form/Purchase Order/${po.name}">${po.name}</a> is linked with Purchase Receipt <a href="/app/Form/Purchase Receipt/${pr.name}">${pr.name}</a> `,
      ]);
      expect(
        (await site.post('/api/method/frappe.client.cancel', { doctype: 'Purchase Receipt', name: pr.name }))
          .status,
      ).toBe(200);
      expect(
        (await site.post('/api/method/frappe.client.cancel', { doctype: 'Purchase Order', name: po.name }))
          .status,
      ).toBe(200);
    });

    it('reverses the serials: a cancelled delivery brings them back, a cancelled receipt makes them Inactive', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const pr = await submitted('Purchase Receipt', purchaseReceipt(po, ['G-1', 'G-2']));
      const dn = await submitted('Delivery Note', deliveryNote(['G-1', 'G-2']));
      const cancel = (doctype: string, name: string) =>
        site.post('/api/method/frappe.client.cancel', { doctype, name });

      const prFirst = await cancel('Purchase Receipt', pr.name);
      expect(prFirst.status).toBe(417);
      expect(prFirst.body.exc_type).toBe('SerialNoWarehouseError');

      expect((await cancel('Delivery Note', dn.name)).status).toBe(200);
      expect((await site.getDoc('Serial No', 'G-1')).status).toBe('Active');
      expect((await cancel('Purchase Receipt', pr.name)).status).toBe(200);
      expect((await site.getDoc('Serial No', 'G-1')).status).toBe('Inactive');
      expect((await site.getDoc('Purchase Order', po.name)).per_received).toBe(0);
      // a serial whose receipt was cancelled can be received again
      await submitted('Purchase Receipt', purchaseReceipt(po, ['G-1', 'G-2']));
      expect((await site.getDoc('Serial No', 'G-2')).status).toBe('Active');
    });

    it('needs cancel permission', async () => {
      const po = await submitted('Purchase Order', purchaseOrder());
      const answer = await site
        .as('token key-clerk:secret-clerk')
        .post('/api/method/frappe.client.cancel', { doctype: 'Purchase Order', name: po.name });
      expect(answer.status).toBe(403);
    });
  });

  it('changes nothing when a request fails (rollback)', async () => {
    const po = await submitted('Purchase Order', purchaseOrder({}, { qty: 3 }));
    const before = site.site.serialLedger().length;
    // the second serial is a duplicate: the first must not be created either
    await submitted('Purchase Receipt', purchaseReceipt(po, ['H-1']));
    const line = (po.items as Array<{ name: string }>)[0]?.name;
    const body = purchaseReceipt(po, ['H-2', 'H-1']);
    Object.assign((body.items as Array<Record<string, unknown>>)[0] ?? {}, { purchase_order_item: line });
    expect((await site.post('/api/resource/Purchase Receipt', { ...body, docstatus: 1 })).status).toBe(417);
    expect(site.site.serialLedger().length).toBe(before + 1);
    const receipts = await site.get('/api/resource/Purchase Receipt');
    expect(receipts.body.data).toHaveLength(1);
    expect((await site.getDoc('Purchase Order', po.name)).items).toMatchObject([{ received_qty: 1 }]);
  });
});
