import type { TransferRequest } from '@interco/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErpnextClient } from '../client/erpnext-client.js';
import type { ListOptions } from '../client/list-request.js';
import {
  brokenSiteA,
  brokenSiteB,
  clientFor,
  closedPortUrl,
  demoPair,
  installMarkerField,
  pin,
  planTransfer,
  USER_A,
  USER_B,
} from '../test-support/preflight-sites.js';
import { SimSite } from '../test-support/sim-site.js';
import { preflight } from './preflight.js';
import type { PreflightReport } from './report.js';
import { SERIAL_BATCH_SIZE } from './site-reader.js';

const DOCTYPES_A = ['Purchase Order', 'Purchase Receipt', 'Delivery Note'];

/** `a:company_missing`, ... : which checks failed where. */
function checks(report: PreflightReport): string[] {
  return [...new Set(report.problems.map((problem) => `${problem.instance}:${problem.check}`))].sort();
}

function only(report: PreflightReport, instance: 'a' | 'b', check: string) {
  const found = report.problems.filter((problem) => problem.instance === instance && problem.check === check);
  expect(found, `${instance}:${check}`).toHaveLength(1);
  const [problem] = found;
  if (problem === undefined) throw new Error('unreachable');
  return problem;
}

function expectNoSerialIn(report: PreflightReport, manifest: TransferRequest): void {
  const text = JSON.stringify(report);
  for (const item of manifest.items) for (const serial of item.serials) expect(text).not.toContain(serial);
}

describe('preflight between the demo sites', () => {
  let siteA: SimSite;
  let siteB: SimSite;
  let a: ErpnextClient;
  let b: ErpnextClient;
  let installing: Promise<void> | undefined;
  /** POST /api/resource/Custom Field on A's three doctypes and B's Purchase Receipt, once. */
  const markersInstalled = () => {
    installing ??= (async () => {
      await installMarkerField(a, DOCTYPES_A);
      await installMarkerField(b, ['Purchase Receipt']);
    })();
    return installing;
  };

  beforeAll(async () => {
    const pair = demoPair();
    [siteA, siteB] = await Promise.all([SimSite.start(pair.a), SimSite.start(pair.b)]);
    a = clientFor(siteA, 'company-a', USER_A);
    b = clientFor(siteB, 'company-b', USER_B);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([siteA?.close(), siteB?.close()]);
  });

  it('finds only the marker field missing on fresh sites, then passes the plan-like transfer once it is installed', async () => {
    const manifest = planTransfer();
    const before = await preflight({ a, b }, manifest);
    expect(before.ok).toBe(false);
    expect(before.problems.map((p) => `${p.instance}:${p.check}`)).toEqual([
      'a:marker_field_missing',
      'a:marker_field_missing',
      'a:marker_field_missing',
      'b:marker_field_missing',
    ]);
    expect(before.problems[2]?.message).toBe(
      'The marker field custom_interco_marker is not installed on Delivery Note in instance A (company-a) (no Custom Field "Delivery Note-custom_interco_marker"): install it (prepare) before any transfer, it is what keeps each document from being made twice.',
    );

    await markersInstalled();
    const report = await preflight({ a, b }, manifest);
    expect(report).toEqual({
      ok: true,
      problems: [],
      resolved: { company_b: 'Compania B', selling_price_list: 'Standard Selling' },
    });
  });

  it('resolves company_b_name as B spells it, and checks the warehouse against it', async () => {
    await markersInstalled();
    const report = await preflight({ a, b }, planTransfer(2, { company_b_name: 'compania b' }));
    expect(report.ok).toBe(true);
    expect(report.resolved.company_b).toBe('Compania B');

    const other = await preflight({ a, b }, planTransfer(2, { company_b_name: 'Compania A' }));
    expect(checks(other)).toEqual(['b:company_missing', 'b:warehouse_wrong_company']);
    expect(other.resolved.company_b).toBeUndefined();
    expect(only(other, 'b', 'warehouse_wrong_company')).toMatchObject({
      path: 'company_b_warehouse',
      message: expect.stringContaining(
        'Warehouse "Stores - CB" in instance B (company-b) belongs to company "Compania B", not "Compania A"',
      ),
    });
  });

  it('checks the two instances side by side', async () => {
    await markersInstalled();
    const slowPing = { rules: [{ match: { method: 'frappe.auth.get_logged_user' }, latency_ms: 500 }] };
    await Promise.all([siteA.setFaults(slowPing), siteB.setFaults(slowPing)]);
    try {
      const started = Date.now();
      const report = await preflight({ a, b }, planTransfer());
      expect(report.ok).toBe(true);
      expect(Date.now() - started).toBeLessThan(950);
    } finally {
      await Promise.all([siteA.setFaults({}), siteB.setFaults({})]);
    }
  });

  it(`batches the reads: ${(10_000).toLocaleString('en')} serials are ${10_000 / SERIAL_BATCH_SIZE} Serial No calls per instance, every other doctype one`, async () => {
    await markersInstalled();
    const manifest = planTransfer(5_000, { company_b_name: 'Compania B' });
    const countingA = new CountingClient(
      siteA.config({ id: 'company-a', api_key: USER_A.apiKey, api_secret: USER_A.apiSecret }),
    );
    const countingB = new CountingClient(
      siteB.config({ id: 'company-b', api_key: USER_B.apiKey, api_secret: USER_B.apiSecret }),
    );
    await Promise.all([siteA.resetRequests(), siteB.resetRequests()]);
    try {
      const report = await preflight({ a: countingA, b: countingB }, manifest);
      expect(report.problems).toEqual([]);
      expect(Object.fromEntries(countingA.lists)).toEqual({
        Company: 1,
        Warehouse: 1,
        Item: 1,
        Supplier: 1,
        Customer: 1,
        'Price List': 1,
        'Fiscal Year': 1,
        'Custom Field': 1,
        'Serial No': 10,
      });
      expect(Object.fromEntries(countingB.lists)).toEqual({
        Company: 1,
        Warehouse: 1,
        Item: 1,
        Supplier: 1,
        'Fiscal Year': 1,
        'Custom Field': 1,
        'Serial No': 10,
      });
      // what the sites saw: the Serial No batches go by POST (their names are too long for a GET)
      const [seenA, seenB] = await Promise.all([siteA.requests(), siteB.requests()]);
      expect(seenA.counts).toEqual({
        'GET /api/method/frappe.auth.get_logged_user': 1,
        'GET /api/resource/:doctype': 8,
        'POST /api/method/frappe.client.get_list': 10,
        'GET /api/resource/:doctype/:name': 2, // Selling Settings, Stock Settings
        'POST /api/method/frappe.client.has_permission': 6,
      });
      expect(seenB.counts).toEqual({
        'GET /api/method/frappe.auth.get_logged_user': 1,
        'GET /api/resource/:doctype': 6,
        'POST /api/method/frappe.client.get_list': 10,
        'GET /api/resource/:doctype/:name': 2, // Buying Settings, Stock Settings
        'POST /api/method/frappe.client.has_permission': 2,
      });
    } finally {
      await Promise.all([countingA.close(), countingB.close()]);
    }
  });

  it('reports serials already in A or B by count and request paths, never by value', async () => {
    await markersInstalled();
    const serial = (item: number, i: number) => pin(item, 9_000 + i);
    const row = (item_code: string, serials: string[]) => ({
      item_code,
      qty: serials.length,
      rate: '10.50',
      transfer_rate: '12.25',
      serials,
    });
    const manifest = planTransfer(1, {
      items: [
        row(
          'PIN-001',
          Array.from({ length: 8 }, (_, i) => serial(1, i)),
        ),
        row('PIN-002', [serial(2, 0)]),
      ],
    });
    // A: every serial of PIN-001 in stock; B: one of PIN-002 delivered before, and serial(1, 1)
    // delivered before as a serial of SIM-001
    await a.insert(
      'Purchase Receipt',
      {
        supplier: 'Proveedor de Pines SA',
        company: 'Compania A',
        set_warehouse: 'Stores - CA',
        items: [{ item_code: 'PIN-001', qty: 8, rate: 1, serial_no: manifest.items[0]?.serials.join('\n') }],
      },
      { submit: true },
    );
    const inB = [
      { item_code: 'SIM-001', qty: 1, rate: 1, serial_no: serial(1, 1) },
      { item_code: 'PIN-002', qty: 1, rate: 1, serial_no: serial(2, 0) },
    ];
    await b.insert(
      'Purchase Receipt',
      { supplier: 'Compania A', company: 'Compania B', set_warehouse: 'Stores - CB', items: inB },
      { submit: true },
    );
    await b.insert('Customer', { customer_name: 'Cliente Final' });
    await b.insert(
      'Delivery Note',
      { customer: 'Cliente Final', company: 'Compania B', set_warehouse: 'Stores - CB', items: inB },
      { submit: true },
    );

    const report = await preflight({ a, b }, manifest);
    expect(report.problems).toEqual([
      {
        instance: 'a',
        check: 'serial_in_stock',
        path: 'items[0].serials',
        message:
          '8 serial numbers of items[0] (item "PIN-001") are already in stock in instance A (company-a) (Serial No Active in a warehouse), so receiving them there would be refused (SerialNoDuplicateError): items[0].serials[0], items[0].serials[1], items[0].serials[2], items[0].serials[3], items[0].serials[4] and 3 more. Take them out of the transfer, or out of that stock first.',
      },
      {
        instance: 'b',
        check: 'serial_other_item',
        path: 'items[0].serials',
        message:
          '1 serial number of items[0] (item "PIN-001") already exists in instance B (company-b) as serial numbers of another item, so ERPNext refuses it for "PIN-001": items[0].serials[1]. Correct the item or the serial numbers.',
      },
      {
        instance: 'b',
        check: 'serial_delivered',
        path: 'items[1].serials',
        message:
          '1 serial number of items[1] (item "PIN-002") was delivered or consumed before in instance B (company-b), and its Stock Settings do not allow receiving an existing serial number again (allow_existing_serial_no is off): items[1].serials[0]. Turn that setting on, or take it out of the transfer.',
      },
    ]);
    expectNoSerialIn(report, manifest);
  });
});

describe('preflight of a deliberately broken pair of sites', () => {
  const manifest = planTransfer(4, {
    company_a_name: 'Compania Fantasma',
    company_a_warehouse: 'Stores - OS',
  });
  const inStock = manifest.items[0]?.serials[1] ?? '';
  let siteA: SimSite;
  let siteB: SimSite;
  let a: ErpnextClient;
  let b: ErpnextClient;

  const BROKEN_A = [
    'a:company_missing',
    'a:warehouse_wrong_company',
    'a:item_not_serialized',
    'a:supplier_missing',
    'a:price_list_missing',
    'a:so_required',
    'a:stock_frozen',
    'a:marker_field_not_unique',
    'a:marker_field_missing',
    'a:serial_in_stock',
    'a:submit_not_permitted',
  ];
  const BROKEN_B = [
    'b:supplier_missing',
    'b:po_required',
    'b:fiscal_year_missing',
    'b:warehouse_missing',
    'b:serial_setting_disabled',
    'b:cancel_not_permitted',
    'b:marker_field_missing',
  ];

  beforeAll(async () => {
    [siteA, siteB] = await Promise.all([SimSite.start(brokenSiteA(inStock)), SimSite.start(brokenSiteB())]);
    a = clientFor(siteA, 'company-a', USER_A);
    b = clientFor(siteB, 'company-b', USER_B);
    await installMarkerField(a, ['Purchase Order']);
    await installMarkerField(a, ['Purchase Receipt'], { unique: false });
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([siteA?.close(), siteB?.close()]);
  });

  it('lists every seeded problem of both instances in one call', async () => {
    const report = await preflight({ a, b }, manifest);
    expect(report.ok).toBe(false);
    expect(checks(report)).toEqual([...BROKEN_A, ...BROKEN_B].sort());
    expect(report.problems).toHaveLength(BROKEN_A.length + BROKEN_B.length);
    expect(report.resolved).toEqual({ company_b: undefined, selling_price_list: undefined });

    expect(only(report, 'a', 'company_missing')).toEqual({
      instance: 'a',
      check: 'company_missing',
      path: 'company_a_name',
      message:
        'Company "Compania Fantasma" does not exist in instance A (company-a): create it there or correct company_a_name.',
    });
    expect(only(report, 'a', 'warehouse_wrong_company').message).toContain(
      'Warehouse "Stores - OS" in instance A (company-a) belongs to company "Otra SA", not "Compania Fantasma"',
    );
    expect(only(report, 'a', 'item_not_serialized')).toMatchObject({
      path: 'items[1].item_code',
      message: expect.stringContaining(
        'Item "PIN-002" in instance A (company-a) does not have serial numbers',
      ),
    });
    expect(only(report, 'a', 'price_list_missing')).toMatchObject({
      path: 'company_b_customer_name',
      message: expect.stringContaining('No selling price list resolves for Customer "Compania B"'),
    });
    expect(only(report, 'a', 'submit_not_permitted').message).toBe(
      "The API user interco@compania-a.example may not submit Delivery Note in instance A (company-a), and the transfer submits it: give one of the user's roles the Submit permission on Delivery Note.",
    );
    expect(only(report, 'a', 'marker_field_missing').message).toContain('on Delivery Note');
    expect(only(report, 'a', 'marker_field_not_unique').message).toContain(
      'Custom Field "Purchase Receipt-custom_interco_marker" in instance A (company-a) is not unique',
    );
    expect(only(report, 'a', 'serial_in_stock')).toEqual({
      instance: 'a',
      check: 'serial_in_stock',
      path: 'items[0].serials',
      message:
        '1 serial number of items[0] (item "PIN-001") is already in stock in instance A (company-a) (Serial No Active in a warehouse), so receiving it there would be refused (SerialNoDuplicateError): items[0].serials[1]. Take it out of the transfer, or out of that stock first.',
    });
    expect(only(report, 'b', 'warehouse_missing')).toMatchObject({
      path: 'company_b_warehouse',
      message: expect.stringContaining('Warehouse "Stores - CB" does not exist in instance B (company-b)'),
    });
    expect(only(report, 'b', 'supplier_missing').message).toBe(
      'Supplier "Compania A" does not exist in instance B (company-b): create it or correct company_a_supplier_name.',
    );
    expect(only(report, 'b', 'fiscal_year_missing').message).toMatch(
      /^No enabled Fiscal Year in instance B \(company-b\) covers today \(\d{4}-\d{2}-\d{2}\)/,
    );
    expect(only(report, 'b', 'cancel_not_permitted').message).toContain('may not cancel Purchase Receipt');
    expectNoSerialIn(report, manifest);
  });

  it('an unreachable B is one instance_unreachable problem, and A is checked all the same', async () => {
    const unreachable = new ErpnextClient(
      {
        id: 'company-b',
        name: 'Compania B',
        base_url: await closedPortUrl(),
        api_key: USER_B.apiKey,
        api_secret: USER_B.apiSecret,
      },
      { retry: { maxAttempts: 2, baseDelayMs: 10 } },
    );
    try {
      const report = await preflight({ a, b: unreachable }, manifest);
      expect(checks(report)).toEqual([...BROKEN_A, 'b:instance_unreachable'].sort());
      const problem = only(report, 'b', 'instance_unreachable');
      expect(problem.path).toBeUndefined();
      expect(problem.message).toMatch(
        /^Instance B \(company-b\) cannot be used: company-b: ping failed \(transient, network\)/,
      );
      expect(problem.message).not.toContain(USER_B.apiSecret);
    } finally {
      await unreachable.close();
    }
  });

  it('a wrong secret is one instance_auth problem, without the secret', async () => {
    const wrong = clientFor(siteB, 'company-b', { apiKey: USER_B.apiKey, apiSecret: 'not-the-secret-5e1' });
    try {
      const report = await preflight({ a, b: wrong }, manifest);
      expect(checks(report)).toEqual([...BROKEN_A, 'b:instance_auth'].sort());
      const problem = only(report, 'b', 'instance_auth');
      expect(problem.message).toMatch(
        /^Instance B \(company-b\) refuses Interco's credentials: company-b: ping failed \(auth, unauthenticated, 401 AuthenticationError\)/,
      );
      expect(problem.message).not.toContain('not-the-secret-5e1');
      expect(problem.message).not.toContain(USER_B.apiSecret);
    } finally {
      await wrong.close();
    }
  });
});

/** Counts list calls per doctype. */
class CountingClient extends ErpnextClient {
  readonly lists = new Map<string, number>();

  override list(doctype: string, options?: ListOptions) {
    this.lists.set(doctype, (this.lists.get(doctype) ?? 0) + 1);
    return super.list(doctype, options);
  }
}
