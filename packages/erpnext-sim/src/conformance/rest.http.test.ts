import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseOrder } from '../test-support/documents.js';
import { companyASetup } from '../test-support/master-data.js';
import { serverMessages, TestSite } from '../test-support/sim-client.js';

// docs/frappe-facts.md §2 and §3 (frappe/api/v1.py, frappe/handler.py, frappe/utils/response.py)
describe('Frappe REST v1', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await TestSite.start(companyASetup());
  });
  afterAll(() => site.close());

  describe('resources', () => {
    it('inserts with 200 and the document, nulls left out, a naming-series name', async () => {
      const answer = await site.post('/api/resource/Purchase Order', {
        ...purchaseOrder(),
        name: 'MY-OWN-NAME',
      });
      expect(answer.status).toBe(200);
      const doc = answer.body.data as Record<string, unknown>;
      expect(doc.name).toMatch(new RegExp(`^PUR-ORD-${new Date().getUTCFullYear()}-\\d{5}$`));
      expect(doc.docstatus).toBe(0);
      expect(doc.doctype).toBe('Purchase Order');
      expect(Object.values(doc).includes(null)).toBe(false);
      expect(doc.modified).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    });

    it('accepts {"data": {...}} and a form field data=<json>', async () => {
      const wrapped = await site.post('/api/resource/Supplier', { data: { supplier_name: 'Wrapped SA' } });
      expect(wrapped.status).toBe(200);
      const form = await site.request(
        'POST',
        '/api/resource/Supplier',
        `data=${encodeURIComponent(JSON.stringify({ supplier_name: 'Form SA' }))}`,
        {
          'Content-Type': 'application/x-www-form-urlencoded',
        },
      );
      expect(form.status).toBe(200);
      expect((form.body.data as { name: string }).name).toBe('Form SA');
    });

    it('gets one document with its child rows', async () => {
      const po = await site.insert('Purchase Order', purchaseOrder());
      const doc = await site.getDoc('Purchase Order', po.name);
      const rows = doc.items as Array<Record<string, unknown>>;
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        item_code: 'PIN-001',
        qty: 2,
        parent: po.name,
        parenttype: 'Purchase Order',
        parentfield: 'items',
        idx: 1,
      });
    });

    it('answers 404 with a message for a missing document, and no traceback keys', async () => {
      const answer = await site.get('/api/resource/Purchase Order/PUR-ORD-1999-99999');
      expect(answer.status).toBe(404);
      expect(answer.body.exc_type).toBe('DoesNotExistError');
      expect(answer.body.exception).toBeUndefined();
      expect(serverMessages(answer)).toEqual(['Purchase Order PUR-ORD-1999-99999 not found']);
    });

    it('answers 404 for an unknown /api route, with only exc_type', async () => {
      const answer = await site.get('/api/nothing/here');
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ exc_type: 'DoesNotExistError' });
    });

    it('lists names by default, 20 per page; fields, filters, order, paging', async () => {
      for (let i = 0; i < 22; i++)
        await site.insert('Supplier', { supplier_name: `Paging ${String(i).padStart(2, '0')}` });
      const first = await site.get('/api/resource/Supplier');
      expect(first.status).toBe(200);
      const rows = first.body.data as Array<Record<string, unknown>>;
      expect(rows).toHaveLength(20);
      expect(Object.keys(rows[0] ?? {})).toEqual(['name']);
      const filtered = await site.get(
        `/api/resource/Supplier?fields=${encodeURIComponent('["name","supplier_name"]')}&filters=${encodeURIComponent('[["supplier_name","like","Paging 1%"]]')}&order_by=${encodeURIComponent('name asc')}&limit_start=2&limit_page_length=3`,
      );
      expect(filtered.body.data).toEqual([
        { name: 'Paging 12', supplier_name: 'Paging 12' },
        { name: 'Paging 13', supplier_name: 'Paging 13' },
        { name: 'Paging 14', supplier_name: 'Paging 14' },
      ]);
      const all = await site.get('/api/resource/Supplier?limit_page_length=0');
      expect((all.body.data as unknown[]).length).toBeGreaterThan(22);
    });

    it('filters in the dict form and on child-table fields', async () => {
      const po = await site.insert('Purchase Order', purchaseOrder({}, { item_code: 'PIN-002' }));
      const byDict = await site.get(
        `/api/resource/Purchase Order?filters=${encodeURIComponent(JSON.stringify({ name: po.name }))}`,
      );
      expect(byDict.body.data).toEqual([{ name: po.name }]);
      const byChild = await site.get(
        `/api/resource/Purchase Order?filters=${encodeURIComponent(JSON.stringify([['Purchase Order Item', 'item_code', '=', 'PIN-002']]))}`,
      );
      expect(byChild.body.data).toContainEqual({ name: po.name });
    });

    it('filters with {"field": [operator, value]} and every operator form the reference lists', async () => {
      const query = (filters: unknown) =>
        site.get(
          `/api/resource/Company?fields=${encodeURIComponent('["name"]')}&order_by=name%20asc&filters=${encodeURIComponent(JSON.stringify(filters))}`,
        );
      expect((await query({ abbr: ['!=', 'CA'] })).body.data).toEqual([{ name: 'Otra SA' }]);
      expect((await query({ name: ['in', ['Compania A', 'Nadie']] })).body.data).toEqual([
        { name: 'Compania A' },
      ]);
      expect((await query([['name', 'not in', 'Compania A']])).body.data).toEqual([{ name: 'Otra SA' }]);
      expect((await query([['country', 'is', 'not set']])).body.data).toHaveLength(2);
      expect((await query([['name', 'not like', '%SA']])).body.data).toEqual([{ name: 'Compania A' }]);
      expect((await query({ name: 'compania a' })).body.data).toEqual([{ name: 'Compania A' }]);
    });

    it('updates with PUT (last write wins without modified), and refuses a stale modified', async () => {
      const po = await site.insert('Purchase Order', purchaseOrder());
      const updated = await site.put(`/api/resource/Purchase Order/${po.name}`, {
        order_confirmation_no: 'OC-1',
      });
      expect(updated.status).toBe(200);
      expect((updated.body.data as Record<string, unknown>).order_confirmation_no).toBe('OC-1');
      const stale = await site.put(`/api/resource/Purchase Order/${po.name}`, {
        order_confirmation_no: 'OC-2',
        modified: po.modified,
      });
      expect(stale.status).toBe(417);
      expect(stale.body.exc_type).toBe('TimestampMismatchError');
      expect(serverMessages(stale)[0]).toMatch(
        new RegExp(`^Error: ${po.name} \\(Purchase Order\\) has been modified after you have opened it \\(`),
      );
    });

    it('deletes a draft with 202 {"data":"ok"}; a missing one is 404', async () => {
      const po = await site.insert('Purchase Order', purchaseOrder());
      const answer = await site.delete(`/api/resource/Purchase Order/${po.name}`);
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ data: 'ok' });
      expect((await site.delete(`/api/resource/Purchase Order/${po.name}`)).status).toBe(404);
    });

    it('refuses to delete a submitted document (417)', async () => {
      const po = await site.insert('Purchase Order', { ...purchaseOrder(), docstatus: 1 });
      const answer = await site.delete(`/api/resource/Purchase Order/${po.name}`);
      expect(answer.status).toBe(417);
      expect(serverMessages(answer)[0]).toContain('Submitted Record cannot be deleted. You must');
    });

    it('takes a trailing slash on a doctype as the list (and the insert)', async () => {
      const answer = await site.get('/api/resource/Company/');
      expect(answer.status).toBe(200);
      expect(answer.body.data).toEqual(expect.arrayContaining([{ name: 'Compania A' }, { name: 'Otra SA' }]));
      const created = await site.post('/api/resource/Supplier/', { supplier_name: 'Slash SA' });
      expect(created.status).toBe(200);
      expect((created.body.data as { name: string }).name).toBe('Slash SA');
    });

    it('answers a verb a resource path does not take with werkzeug’s 405 page and Allow', async () => {
      const patch = await site.request('PATCH', '/api/resource/Company/Compania A', { abbr: 'X' });
      expect(patch.status).toBe(405);
      expect(patch.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(patch.headers.get('allow')).toBe('DELETE, GET, HEAD, POST, PUT');
      expect(patch.text).toContain('<title>405 Method Not Allowed</title>');
      const put = await site.put('/api/resource/Company', { abbr: 'X' });
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
      // the credentials are checked first
      const stranger = await site.as('token nobody:nothing').request('PATCH', '/api/resource/Company/X', {});
      expect(stranger.status).toBe(401);
    });

    it('answers a body that is not JSON with a 500 JSONDecodeError, as Python words it', async () => {
      const bad = await site.request('POST', '/api/resource/Supplier', '{"supplier_name": "X",}', {
        'Content-Type': 'application/json',
      });
      expect(bad.status).toBe(500);
      expect(bad.body.exc_type).toBe('JSONDecodeError');
      expect(bad.body.exception).toBe(
        'json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 23 (char 22)',
      );
      const garbage = await site.request('POST', '/api/method/frappe.client.get_list', 'not json', {
        'Content-Type': 'application/json; charset=utf-8',
      });
      expect(garbage.status).toBe(500);
      expect(garbage.body.exception).toBe(
        'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)',
      );
      const lines = await site.request('PUT', '/api/resource/Supplier/X', '{\n  "a": 1\n  "b": 2\n}', {
        'Content-Type': 'application/json',
      });
      expect(lines.body.exception).toBe(
        "json.decoder.JSONDecodeError: Expecting ',' delimiter: line 3 column 3 (char 13)",
      );
      // JSON that is neither an object nor an array
      const scalar = await site.request('POST', '/api/resource/Supplier', '"text"', {
        'Content-Type': 'application/json',
      });
      expect(scalar.status).toBe(417);
      expect(serverMessages(scalar)).toEqual(['Invalid request arguments']);
    });

    it('fails a JSON array body: a TypeError on insert, an AttributeError on update', async () => {
      const insert = await site.post('/api/resource/Supplier', [{ supplier_name: 'Array SA' }]);
      expect(insert.status).toBe(500);
      expect(insert.body.exc_type).toBe('TypeError');
      expect(insert.body.exception).toBe('TypeError: pop expected at most 1 argument, got 2');
      const update = await site.put('/api/resource/Company/Compania A', [{ abbr: 'X' }]);
      expect(update.status).toBe(500);
      expect(update.body.exc_type).toBe('AttributeError');
      expect(update.body.exception).toBe("AttributeError: 'list' object has no attribute 'items'");
    });

    it('serves the same API under /api/v1', async () => {
      expect((await site.get('/api/v1/resource/Company')).status).toBe(200);
    });
  });

  describe('submitting', () => {
    it('inserts and submits in one call with docstatus 1', async () => {
      const po = await site.insert('Purchase Order', { ...purchaseOrder(), docstatus: 1 });
      expect(po.docstatus).toBe(1);
      expect(po.status).toBe('To Receive and Bill');
    });

    it("fails the original plan's sequence: frappe.client.submit with {doctype, docname} is a 500 TypeError", async () => {
      const draft = await site.insert('Purchase Order', purchaseOrder());
      const answer = await site.post('/api/method/frappe.client.submit', {
        doctype: 'Purchase Order',
        docname: draft.name,
      });
      expect(answer.status).toBe(500);
      expect(answer.body.exc_type).toBe('TypeError');
      expect(answer.body.exception).toBe("TypeError: submit() missing 1 required positional argument: 'doc'");
      expect(answer.body._server_messages).toBeUndefined();
      expect((await site.getDoc('Purchase Order', draft.name)).docstatus).toBe(0);
    });

    it('fails frappe.client.submit with a doc lacking modified (TimestampMismatchError)', async () => {
      const draft = await site.insert('Purchase Order', purchaseOrder());
      const answer = await site.post('/api/method/frappe.client.submit', {
        doc: { doctype: 'Purchase Order', name: draft.name },
      });
      expect(answer.status).toBe(417);
      expect(answer.body.exc_type).toBe('TimestampMismatchError');
    });

    it('submits with frappe.client.submit and the whole document as read', async () => {
      const draft = await site.insert('Purchase Order', purchaseOrder());
      const doc = await site.getDoc('Purchase Order', draft.name);
      const answer = await site.post('/api/method/frappe.client.submit', { doc });
      expect(answer.status).toBe(200);
      const message = answer.body.message as Record<string, unknown>;
      expect(message.docstatus).toBe(1);
      expect(message).toHaveProperty('amended_from', null);
    });

    it('refuses GET on frappe.client.submit (403 Not permitted)', async () => {
      const answer = await site.get('/api/method/frappe.client.submit');
      expect(answer.status).toBe(403);
      expect(serverMessages(answer)).toEqual(['Not permitted']);
    });

    it('submits with PUT docstatus 1 and cancels with PUT docstatus 2', async () => {
      const draft = await site.insert('Purchase Order', purchaseOrder());
      const submitted = await site.put(`/api/resource/Purchase Order/${draft.name}`, { docstatus: 1 });
      expect((submitted.body.data as Record<string, unknown>).docstatus).toBe(1);
      const cancelled = await site.put(`/api/resource/Purchase Order/${draft.name}`, { docstatus: 2 });
      expect((cancelled.body.data as Record<string, unknown>).docstatus).toBe(2);
    });

    it('submits and cancels through run_method; without run_method a POST is a 500 KeyError', async () => {
      const draft = await site.insert('Purchase Order', purchaseOrder());
      const submitted = await site.post(`/api/resource/Purchase Order/${draft.name}?run_method=submit`);
      expect(submitted.status).toBe(200);
      expect((submitted.body.message as Record<string, unknown>).docstatus).toBe(1);
      const keyError = await site.post(`/api/resource/Purchase Order/${draft.name}`);
      expect(keyError.status).toBe(500);
      expect(keyError.body.exc_type).toBe('KeyError');
    });

    it('cancels with frappe.client.cancel; cancelling again is "Cannot edit cancelled document"', async () => {
      const po = await site.insert('Purchase Order', { ...purchaseOrder(), docstatus: 1 });
      const cancel = () =>
        site.post('/api/method/frappe.client.cancel', { doctype: 'Purchase Order', name: po.name });
      expect((await cancel()).status).toBe(200);
      const again = await cancel();
      expect(again.status).toBe(417);
      expect(again.body.exception).toBe('frappe.exceptions.ValidationError: Cannot edit cancelled document');
      expect(again.body._server_messages).toBeUndefined();
    });

    it('refuses to cancel a draft (DocstatusTransitionError)', async () => {
      const draft = await site.insert('Purchase Order', purchaseOrder());
      const answer = await site.post('/api/method/frappe.client.cancel', {
        doctype: 'Purchase Order',
        name: draft.name,
      });
      expect(answer.status).toBe(417);
      expect(answer.body.exc_type).toBe('DocstatusTransitionError');
      expect(answer.body.exception).toBe(
        'frappe.exceptions.DocstatusTransitionError: Cannot change docstatus from 0 (Draft) to 2 (Cancelled)',
      );
    });
  });

  describe('methods and errors', () => {
    it('get_list by POST takes its arguments from the body (query ignored)', async () => {
      const answer = await site.post('/api/method/frappe.client.get_list?doctype=Supplier', {
        doctype: 'Company',
        fields: ['name', 'abbr'],
        filters: { abbr: 'CA' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.message).toEqual([{ name: 'Compania A', abbr: 'CA' }]);
    });

    it('says which method it could not find (417)', async () => {
      const answer = await site.post('/api/method/acme.api.do_it', {});
      expect(answer.status).toBe(417);
      expect(serverMessages(answer)[0]).toBe(
        'Failed to get method for command acme.api.do_it with App acme is not installed',
      );
    });

    it('finds no method on Object.prototype, and words a missing attribute as Python does', async () => {
      for (const name of ['toString', '__proto__', 'constructor']) {
        const answer = await site.post(`/api/method/${name}`, {});
        expect(answer.status, name).toBe(417);
        expect(answer.body.exc_type).toBe('ValidationError');
        expect(serverMessages(answer)).toEqual([`Failed to get method for command ${name} with '${name}'`]);
      }
      const missing = await site.post('/api/method/frappe.client.foo', {});
      expect(missing.status).toBe(417);
      expect(serverMessages(missing)).toEqual([
        "Failed to get method for command frappe.client.foo with module 'frappe.client' has no attribute 'foo'",
      ]);
      const proto = await site.post('/api/method/frappe.client.__proto__', {});
      expect(serverMessages(proto)).toEqual([
        "Failed to get method for command frappe.client.__proto__ with module 'frappe.client' has no attribute '__proto__'",
      ]);
    });

    it('gets a document by filters with frappe.client.get; none matching is a 404', async () => {
      const byFilters = await site.post('/api/method/frappe.client.get', {
        doctype: 'Company',
        filters: { abbr: 'OS' },
      });
      expect(byFilters.status).toBe(200);
      expect((byFilters.body.message as Record<string, unknown>).name).toBe('Otra SA');
      const asText = await site.get(
        `/api/method/frappe.client.get?doctype=Company&filters=${encodeURIComponent('{"abbr":"CA"}')}`,
      );
      expect((asText.body.message as Record<string, unknown>).name).toBe('Compania A');
      const none = await site.post('/api/method/frappe.client.get', {
        doctype: 'Company',
        filters: { abbr: 'ZZ' },
      });
      expect(none.status).toBe(404);
      expect(none.body.exc_type).toBe('DoesNotExistError');
      expect(serverMessages(none)).toEqual(["Company {'abbr': 'ZZ'} not found"]);
    });

    it('runs a method by DELETE: frappe.client.delete answers {} (None)', async () => {
      await site.insert('Supplier', { supplier_name: 'Doomed SA' });
      const answer = await site.request('DELETE', '/api/method/frappe.client.delete', {
        doctype: 'Supplier',
        name: 'Doomed SA',
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({});
      expect((await site.get('/api/resource/Supplier/Doomed SA')).status).toBe(404);
      // its whitelist takes DELETE and POST only; other methods keep GET, POST, PUT, DELETE
      expect((await site.get('/api/method/frappe.client.delete?doctype=Supplier&name=X')).status).toBe(403);
      const patch = await site.request('PATCH', '/api/method/frappe.client.get_list', { doctype: 'Company' });
      expect(patch.status).toBe(403);
      expect(serverMessages(patch)).toEqual(['Not permitted']);
    });

    it('double-encodes _server_messages with title, indicator, raise_exception and an exc id', async () => {
      const answer = await site.post('/api/resource/Purchase Order', purchaseOrder({ supplier: 'Nadie' }));
      expect(answer.status).toBe(417);
      expect(answer.body.exc_type).toBe('LinkValidationError');
      expect(answer.body.exception).toBe(
        'frappe.exceptions.LinkValidationError: Could not find Supplier: Nadie',
      );
      expect(JSON.parse(String(answer.body.exc))).toHaveLength(1);
      const [entry] = JSON.parse(String(answer.body._server_messages)) as string[];
      const message = JSON.parse(String(entry)) as Record<string, unknown>;
      expect(message).toMatchObject({
        message: 'Could not find Supplier: Nadie',
        title: 'Message',
        indicator: 'red',
        raise_exception: 1,
      });
      expect(message.__frappe_exc_id).toMatch(/^[0-9a-f]{56}$/);
    });

    it('lists each missing mandatory field, then raises MandatoryError naming them', async () => {
      const answer = await site.post('/api/resource/Purchase Order', {
        supplier: 'Proveedor de Pines SA',
        schedule_date: '2030-01-01',
        items: [{ qty: 1 }],
      });
      expect(answer.status).toBe(417);
      expect(answer.body.exc_type).toBe('MandatoryError');
      expect(serverMessages(answer)).toEqual([
        'Error: Value missing for Purchase Order: Company',
        'Error: <strong>Purchase Order Item</strong> Row #1: Value missing for: Item Code',
      ]);
      expect(String(answer.body.exception)).toMatch(
        /^frappe\.exceptions\.MandatoryError: \[Purchase Order, PUR-ORD-\d{4}-\d{5}\]: company, item_code$/,
      );
    });

    it('refuses a Data value over 140 characters', async () => {
      const answer = await site.post(
        '/api/resource/Purchase Order',
        purchaseOrder({ order_confirmation_no: 'x'.repeat(141) }),
      );
      expect(answer.status).toBe(417);
      expect(answer.body.exc_type).toBe('CharacterLengthExceededError');
      expect(serverMessages(answer)[0]).toMatch(
        /: 'Order Confirmation No' \(x+\) will get truncated, as max characters allowed is 140$/,
      );
    });

    it('answers frappe.client.has_permission per doctype ("" docname) and per document', async () => {
      const ask = (who: TestSite, args: Record<string, unknown>) =>
        who.post('/api/method/frappe.client.has_permission', args);
      const allowed = async (who: TestSite, args: Record<string, unknown>) => {
        const answer = await ask(who, args);
        expect(answer.status).toBe(200);
        return (answer.body.message as { has_permission: unknown }).has_permission;
      };
      const clerk = site.as('token key-clerk:secret-clerk');
      expect(await allowed(site, { doctype: 'Delivery Note', docname: '', perm_type: 'submit' })).toBe(true);
      expect(await allowed(site, { doctype: 'Purchase Order', docname: '', perm_type: 'cancel' })).toBe(true);
      // the clerk's roles lack submit on Delivery Note and cancel on Purchase Order
      expect(await allowed(clerk, { doctype: 'Delivery Note', docname: '', perm_type: 'submit' })).toBe(
        false,
      );
      expect(await allowed(clerk, { doctype: 'Delivery Note', docname: '', perm_type: 'cancel' })).toBe(true);
      expect(await allowed(clerk, { doctype: 'Purchase Order', docname: '', perm_type: 'Cancel' })).toBe(
        false,
      );
      expect(await allowed(clerk, { doctype: 'Purchase Order', docname: '', perm_type: 'submit' })).toBe(
        true,
      );
      // perm_type defaults to read; submit is never granted on a doctype that is not submittable
      expect(await allowed(site, { doctype: 'Item', docname: '' })).toBe(true);
      expect(await allowed(site, { doctype: 'Item', docname: '', perm_type: 'submit' })).toBe(false);
      // a named document must exist
      const po = await site.insert('Purchase Order', purchaseOrder());
      expect(await allowed(clerk, { doctype: 'Purchase Order', docname: po.name, perm_type: 'cancel' })).toBe(
        false,
      );
      const missing = await ask(site, { doctype: 'Purchase Order', docname: 'PUR-ORD-1999-99999' });
      expect(missing.status).toBe(404);
      expect(missing.body.exc_type).toBe('DoesNotExistError');
      const unknown = await ask(site, { doctype: 'Sales Order', docname: '' });
      expect(unknown.status).toBe(404);
      expect(serverMessages(unknown)).toEqual(['DocType Sales Order not found']);
      // docname is a required parameter: null is refused (v15 refuses it too, by its argument type check)
      const none = await ask(site, { doctype: 'Delivery Note', docname: null, perm_type: 'submit' });
      expect(none.status).toBe(500);
      const absent = await ask(site, { doctype: 'Delivery Note', perm_type: 'submit' });
      expect(absent.status).toBe(500);
      expect(absent.body.exception).toMatch(
        /has_permission\(\) missing 1 required positional argument: 'docname'/,
      );
      // a GET takes the arguments from the query string
      const byGet = await site.get(
        '/api/method/frappe.client.has_permission?doctype=Delivery%20Note&docname=&perm_type=submit',
      );
      expect(byGet.body.message).toEqual({ has_permission: true });
    });

    it('answers a duplicate name with 409 DuplicateEntryError', async () => {
      const answer = await site.post('/api/resource/Company', { company_name: 'Compania A', abbr: 'X' });
      expect(answer.status).toBe(409);
      expect(answer.body.exc_type).toBe('DuplicateEntryError');
      expect(serverMessages(answer)).toEqual(['Company <strong>Compania A</strong> already exists']);
    });

    it('reads and writes single doctypes (settings)', async () => {
      const read = await site.get('/api/resource/Buying Settings/Buying Settings');
      expect(read.status).toBe(200);
      expect(read.body.data).toMatchObject({ po_required: 'No', name: 'Buying Settings' });
      const written = await site.put('/api/resource/Stock Settings/Stock Settings', {
        over_delivery_receipt_allowance: 10,
      });
      expect((written.body.data as Record<string, unknown>).over_delivery_receipt_allowance).toBe(10);
      await site.put('/api/resource/Stock Settings/Stock Settings', { over_delivery_receipt_allowance: 0 });
    });
  });
});
