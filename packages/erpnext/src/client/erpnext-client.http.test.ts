import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErpnextError, type MarkerField } from '../errors/erpnext-error.js';
import { rejection as rejectionOf } from '../test-support/rejection.js';
import {
  API_SECRET,
  CLERK_KEY,
  CLERK_SECRET,
  count,
  purchaseOrder,
  SimSite,
} from '../test-support/sim-site.js';
import { ErpnextClient } from './erpnext-client.js';

// Every operation of the client against a simulated site, and every permanent / conflict / auth
// row of the classification table as the site really answers it.

const MARKER: MarkerField = { fieldname: 'custom_interco_marker', label: 'Interco Marker' };

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, ErpnextError);

describe('ErpnextClient operations', () => {
  let site: SimSite;
  let client: ErpnextClient;
  beforeAll(async () => {
    site = await SimSite.start();
  });
  beforeEach(async () => {
    await site.reset();
    client = new ErpnextClient(site.config(), { retry: { baseDelayMs: 10 } });
  });
  afterEach(() => client.close());
  afterAll(() => site.close());

  const installMarker = () =>
    client.insert('Custom Field', {
      dt: 'Purchase Order',
      label: 'Interco Marker',
      fieldtype: 'Data',
      unique: 1,
    });

  it('ping answers the API user', async () => {
    expect(await client.ping()).toBe('interco@a.test');
    expect(count(await site.requests(), 'GET /api/method/frappe.auth.get_logged_user')).toBe(1);
  });

  it('get reads a document by its (encoded) name', async () => {
    const supplier = await client.get('Supplier', 'Proveedor de Pines SA');
    expect(supplier).toMatchObject({ name: 'Proveedor de Pines SA', doctype: 'Supplier' });
  });

  it('getSingle reads a Single doctype', async () => {
    const settings = await client.getSingle('Buying Settings');
    expect(settings).toMatchObject({ name: 'Buying Settings', po_required: 'No' });
  });

  it('insert answers the created document; with submit it is inserted and submitted in one call', async () => {
    const draft = await client.insert('Purchase Order', purchaseOrder());
    expect(draft.name).toMatch(/^PUR-ORD-\d{4}-\d{5}$/);
    expect(draft.docstatus).toBe(0);
    const submitted = await client.insert('Purchase Order', purchaseOrder(), { submit: true });
    expect(submitted.docstatus).toBe(1);
    expect(count(await site.requests(), 'POST /api/resource/:doctype')).toBe(2);
  });

  it('submit sends the whole document as read; cancel cancels it', async () => {
    const draft = await client.insert('Purchase Order', purchaseOrder());
    const read = await client.get('Purchase Order', draft.name);
    const submitted = await client.submit(read);
    expect(submitted).toMatchObject({ name: draft.name, docstatus: 1 });
    const cancelled = await client.cancel('Purchase Order', draft.name);
    expect(cancelled).toMatchObject({ name: draft.name, docstatus: 2 });
    expect((await client.get('Purchase Order', draft.name)).docstatus).toBe(2);
  });

  it('submit refuses a document without modified before sending anything', async () => {
    const error = await rejection(client.submit({ name: 'PUR-ORD-2026-00001', doctype: 'Purchase Order' }));
    expect([error.kind, error.reason]).toEqual(['permanent', 'client_error']);
    expect((await site.requests()).total).toBe(0);
  });

  it('call runs a whitelisted method and answers its message', async () => {
    const po = await client.insert('Purchase Order', purchaseOrder(), { submit: true });
    const receipt = (await client.call(
      'erpnext.buying.doctype.purchase_order.purchase_order.make_purchase_receipt',
      { source_name: po.name },
      { write: false },
    )) as Record<string, unknown>;
    expect(receipt).toMatchObject({ doctype: 'Purchase Receipt', supplier: 'Proveedor de Pines SA' });
    expect(await client.call('frappe.auth.get_logged_user', {}, { write: false })).toBe('interco@a.test');
  });

  it('list uses GET with fields, filters, or_filters, order and paging', async () => {
    for (let i = 0; i < 3; i++) await client.insert('Purchase Order', purchaseOrder(), { submit: i !== 1 });
    const rows = await client.list('Purchase Order', {
      fields: ['name', 'docstatus'],
      filters: [['docstatus', '=', 1]],
      orderBy: 'name asc',
    });
    expect(rows.map((r) => r.docstatus)).toEqual([1, 1]);
    const either = await client.list('Item', {
      orFilters: [
        ['name', '=', 'PIN-001'],
        ['name', '=', 'PIN-002'],
      ],
      orderBy: 'name asc',
    });
    expect(either).toEqual([{ name: 'PIN-001' }, { name: 'PIN-002' }]);
    const second = await client.list('Purchase Order', {
      orderBy: 'name asc',
      limitStart: 1,
      limitPageLength: 1,
    });
    expect(second).toHaveLength(1);
    const stats = await site.requests();
    expect(count(stats, 'GET /api/resource/:doctype')).toBe(3);
    expect(count(stats, 'POST /api/method/frappe.client.get_list')).toBe(0);
  });

  it('list switches to POST frappe.client.get_list when the URL would be too long', async () => {
    const names = Array.from({ length: 400 }, (_, i) => `NOT-AN-ITEM-${String(i).padStart(5, '0')}`);
    const rows = await client.list('Item', { filters: [['name', 'in', [...names, 'PIN-002']]] });
    expect(rows).toEqual([{ name: 'PIN-002' }]);
    const stats = await site.requests();
    expect(count(stats, 'POST /api/method/frappe.client.get_list')).toBe(1);
    expect(count(stats, 'GET /api/resource/:doctype')).toBe(0);
  });

  it('a list of Serial No always goes by POST frappe.client.get_list, however short (no serial in a URL)', async () => {
    const po = await client.insert('Purchase Order', purchaseOrder(), { submit: true });
    const line = (po.items as Array<{ name: string }>)[0]?.name;
    await client.insert(
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
            serial_no: 'PIN-7777-0001\nPIN-7777-0002',
            purchase_order: po.name,
            purchase_order_item: line,
          },
        ],
      },
      { submit: true },
    );
    await site.resetRequests();
    const rows = await client.list('Serial No', {
      fields: ['name', 'item_code'],
      filters: [['name', 'in', ['PIN-7777-0001']]],
    });
    expect(rows).toEqual([{ name: 'PIN-7777-0001', item_code: 'PIN-001' }]);
    const all = await client.listAll('Serial No', { filters: { item_code: 'PIN-001' }, pageSize: 1 });
    expect(all.map((row) => row.name)).toEqual(['PIN-7777-0001', 'PIN-7777-0002']);
    let stats = await site.requests();
    expect(count(stats, 'POST /api/method/frappe.client.get_list')).toBe(4); // 1 + 3 pages
    expect(count(stats, 'GET /api/resource/:doctype')).toBe(0);
    // other doctypes keep the GET while it is short
    await site.resetRequests();
    await client.list('Item', { filters: [['name', 'in', ['PIN-001']]] });
    stats = await site.requests();
    expect(count(stats, 'GET /api/resource/:doctype')).toBe(1);
    expect(count(stats, 'POST /api/method/frappe.client.get_list')).toBe(0);
  });

  it('listAll pages through everything', async () => {
    for (let i = 0; i < 7; i++) await client.insert('Purchase Order', purchaseOrder());
    await site.resetRequests();
    const rows = await client.listAll('Purchase Order', { pageSize: 3 });
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.name)).size).toBe(7);
    expect(count(await site.requests(), 'GET /api/resource/:doctype')).toBe(3);
  });

  it('names with spaces and slashes are encoded in paths', async () => {
    await client.insert('Item', { item_code: 'PIN/3 X', item_name: 'odd', has_serial_no: 0 });
    expect((await client.get('Item', 'PIN/3 X')).name).toBe('PIN/3 X');
  });

  it('close refuses later calls', async () => {
    await client.close();
    const error = await rejection(client.ping());
    expect([error.kind, error.reason]).toEqual(['permanent', 'client_error']);
    expect(client.health().closed).toBe(true);
  });

  describe('answers that are not transient', () => {
    it('404: a missing document is permanent', async () => {
      const error = await rejection(client.get('Purchase Order', 'PUR-ORD-2000-99999'));
      expect([error.kind, error.reason, error.status, error.excType]).toEqual([
        'permanent',
        'not_found',
        404,
        'DoesNotExistError',
      ]);
      expect(count(await site.requests(), 'GET /api/resource/:doctype/:name')).toBe(1);
    });

    it('417: a validation error is permanent, with ERPNext messages', async () => {
      const error = await rejection(client.insert('Purchase Order', purchaseOrder({ supplier: 'ACME' })));
      expect([error.kind, error.reason, error.status, error.excType]).toEqual([
        'permanent',
        'validation',
        417,
        'LinkValidationError',
      ]);
      expect(error.messages).toEqual(['Could not find Supplier: ACME']);
      // ERPNext's words stay in messages; the description names the failure only
      expect(error.describe()).toBe(
        'company-a: insert Purchase Order failed (permanent, validation, 417 LinkValidationError)',
      );
      expect(error.message).toBe(error.describe());
    });

    it('409: a duplicate name is permanent', async () => {
      const error = await rejection(client.insert('Item', { item_code: 'PIN-001', item_name: 'again' }));
      expect([error.kind, error.reason, error.status, error.excType]).toEqual([
        'permanent',
        'duplicate',
        409,
        'DuplicateEntryError',
      ]);
    });

    it('417 UniqueValidationError on the marker: conflict, isUniqueViolation', async () => {
      await installMarker();
      const first = await client.insert(
        'Purchase Order',
        purchaseOrder({ custom_interco_marker: 'tr_1:po_a:0' }),
        {
          marker: MARKER,
        },
      );
      const error = await rejection(
        client.insert('Purchase Order', purchaseOrder({ custom_interco_marker: 'tr_1:po_a:0' }), {
          marker: MARKER,
        }),
      );
      expect([error.kind, error.reason, error.status, error.excType]).toEqual([
        'conflict',
        'unique_violation',
        417,
        'UniqueValidationError',
      ]);
      expect(error.isUniqueViolation).toBe(true);
      expect(error.isUniqueViolationOn(MARKER)).toBe(true);
      expect(error.messages).toEqual(['Interco Marker must be unique']);
      // what the caller does next: read the existing one
      const existing = await client.list('Purchase Order', {
        filters: { custom_interco_marker: 'tr_1:po_a:0', docstatus: ['!=', 2] },
      });
      expect(existing).toEqual([{ name: first.name }]);
    });

    it('a unique violation without a marker named is permanent', async () => {
      await installMarker();
      await client.insert('Purchase Order', purchaseOrder({ custom_interco_marker: 'm-1' }));
      const error = await rejection(
        client.insert('Purchase Order', purchaseOrder({ custom_interco_marker: 'M-1' })),
      );
      expect([error.kind, error.isUniqueViolation]).toEqual(['permanent', true]);
    });

    it('417 TimestampMismatchError (submit with a stale modified) is a conflict', async () => {
      const draft = await client.insert('Purchase Order', purchaseOrder());
      const read = await client.get('Purchase Order', draft.name);
      const error = await rejection(client.submit({ ...read, modified: '2000-01-01 00:00:00.000000' }));
      expect([error.kind, error.reason, error.status, error.excType]).toEqual([
        'conflict',
        'timestamp_mismatch',
        417,
        'TimestampMismatchError',
      ]);
      // read again, retry: it goes through
      expect((await client.submit(await client.get('Purchase Order', draft.name))).docstatus).toBe(1);
    });

    it('500 TypeError (submit called with the wrong arguments) is permanent', async () => {
      const error = await rejection(
        client.call('frappe.client.submit', { doctype: 'Purchase Order', docname: 'X' }, { write: true }),
      );
      expect([error.kind, error.reason, error.status, error.excType]).toEqual([
        'permanent',
        'server_error',
        500,
        'TypeError',
      ]);
    });

    it('an injected 500 is permanent and not retried', async () => {
      await site.setFaults({ rules: [{ match: { http_method: 'GET' }, error_rates: { '500': 1 } }] });
      const error = await rejection(client.get('Supplier', 'Proveedor de Pines SA'));
      expect([error.kind, error.status]).toEqual(['permanent', 500]);
      expect(count(await site.requests(), 'GET /api/resource/:doctype/:name')).toBe(1);
    });

    it('403: a user without cancel permission gets auth', async () => {
      const clerk = new ErpnextClient(
        site.config({ id: 'company-a-clerk', api_key: CLERK_KEY, api_secret: CLERK_SECRET }),
      );
      try {
        const po = await clerk.insert('Purchase Order', purchaseOrder(), { submit: true });
        const error = await rejection(clerk.cancel('Purchase Order', po.name));
        expect([error.kind, error.reason, error.status, error.excType]).toEqual([
          'auth',
          'forbidden',
          403,
          'PermissionError',
        ]);
      } finally {
        await clerk.close();
      }
    });

    it('401: a wrong secret is auth, not retried, and the secret appears nowhere', async () => {
      const secret = 'wrong-secret-9f8e7d';
      const wrong = new ErpnextClient(site.config({ api_secret: secret }));
      try {
        const error = await rejection(wrong.ping());
        expect([error.kind, error.reason, error.status, error.excType]).toEqual([
          'auth',
          'unauthenticated',
          401,
          'AuthenticationError',
        ]);
        expect(count(await site.requests(), 'GET /api/method/frappe.auth.get_logged_user')).toBe(1);
        const views = [error.message, error.describe(), JSON.stringify(error), String(error.stack)];
        views.push(inspect(wrong, { depth: 20, showHidden: true }), JSON.stringify(wrong.health()));
        for (const text of views) {
          expect(text).not.toContain(secret);
          expect(text).not.toContain(API_SECRET);
        }
      } finally {
        await wrong.close();
      }
    });

    it("gunicorn's 400 (request line too long) is permanent", async () => {
      const error = await rejection(client.get('Item', 'X'.repeat(5000)));
      expect([error.kind, error.reason, error.status]).toEqual(['permanent', 'request_line_too_long', 400]);
      expect(error.detail).toMatch(/^Request Line is too large \(\d+ > 4094\)$/);
    });

    it('413: a body over 25 MiB is permanent', async () => {
      const error = await rejection(
        client.insert('Purchase Order', purchaseOrder({ remarks: 'x'.repeat(26 * 1024 * 1024) })),
      );
      expect([error.kind, error.reason, error.status]).toEqual(['permanent', 'too_large', 413]);
    });

    it('417s never open the breaker', async () => {
      const strict = new ErpnextClient(site.config({ id: 'strict' }), {
        breaker: { volumeThreshold: 2, errorThresholdPercentage: 10, resetTimeout: 60_000 },
      });
      try {
        for (let i = 0; i < 8; i++) {
          const error = await rejection(strict.insert('Purchase Order', purchaseOrder({ supplier: 'ACME' })));
          expect(error.status).toBe(417);
        }
        expect(strict.health().breaker).toMatchObject({ state: 'closed', window: { failures: 0, fires: 8 } });
        expect(await strict.ping()).toBe('interco@a.test');
      } finally {
        await strict.close();
      }
    });
  });
});
