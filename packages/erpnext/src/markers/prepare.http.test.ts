import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErpnextClient } from '../client/erpnext-client.js';
import { CLERK_KEY, CLERK_SECRET, count, purchaseOrder, SimSite } from '../test-support/sim-site.js';
import { MARKED_DOCTYPES, MARKER_FIELDNAME } from './marker.js';
import {
  describePrepare,
  markerCustomFieldName,
  type PrepareResult,
  prepared,
  prepareInstance,
} from './prepare.js';

// prepareInstance against a simulated site: installs the unique marker field once, reports an
// existing field that is not right instead of changing it, needs System Manager, and is safe to
// run twice at once.

describe('prepareInstance', () => {
  let site: SimSite;
  const clients: ErpnextClient[] = [];
  const make = (overrides: Parameters<SimSite['config']>[0] = {}) => {
    const client = new ErpnextClient(site.config(overrides), { retry: { baseDelayMs: 20 } });
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    site = await SimSite.start();
  });
  beforeEach(() => site.reset());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => site.close());

  const outcomes = (results: readonly PrepareResult[]) => results.map((r) => [r.doctype, r.outcome]);

  it('installs the unique, read-only, no-copy marker field on the three doctypes of a fresh site', async () => {
    const results = await prepareInstance(make());
    expect(outcomes(results)).toEqual(MARKED_DOCTYPES.map((dt) => [dt, 'installed']));
    expect(prepared(results)).toBe(true);
    const fields = await site.documents('Custom Field');
    expect(fields.map((f) => f.name).sort()).toEqual(MARKED_DOCTYPES.map(markerCustomFieldName).sort());
    for (const field of fields) {
      expect(field).toMatchObject({
        fieldname: MARKER_FIELDNAME,
        label: 'Interco Marker',
        fieldtype: 'Data',
        unique: 1,
        search_index: 1,
        read_only: 1,
        no_copy: 1,
      });
      expect(field.allow_on_submit ?? 0).toBe(0);
    }
    expect(fields.find((f) => f.dt === 'Delivery Note')?.insert_after).toBe('customer');
    expect(describePrepare('company-a', results)).toEqual([
      'company-a Purchase Order: installed',
      'company-a Purchase Receipt: installed',
      'company-a Delivery Note: installed',
    ]);
  });

  it('reports "already" the second time and writes nothing', async () => {
    const client = make();
    await prepareInstance(client);
    await site.resetRequests();
    const again = await prepareInstance(client);
    expect(outcomes(again)).toEqual(MARKED_DOCTYPES.map((dt) => [dt, 'already']));
    const stats = await site.requests();
    expect(Object.keys(stats.counts).filter((route) => route.startsWith('POST'))).toEqual([]);
    expect(await site.documents('Custom Field')).toHaveLength(3);
  });

  it('takes only the doctypes asked for', async () => {
    const results = await prepareInstance(make(), { doctypes: ['Purchase Receipt'] });
    expect(outcomes(results)).toEqual([['Purchase Receipt', 'installed']]);
    expect(await site.documents('Custom Field')).toHaveLength(1);
  });

  it('reports a field that exists but is not unique as a problem for a person, and leaves it as it is', async () => {
    const client = make();
    await client.insert('Custom Field', {
      dt: 'Purchase Order',
      label: 'Interco Marker',
      fieldtype: 'Data',
      read_only: 1,
      no_copy: 1,
    });
    // two orders already share a marker: making the field unique now would fail
    for (let i = 0; i < 2; i++) {
      await client.insert('Purchase Order', purchaseOrder({ [MARKER_FIELDNAME]: 'tr_dup:po_a:0' }));
    }
    const results = await prepareInstance(client);
    expect(outcomes(results)).toEqual([
      ['Purchase Order', 'problem'],
      ['Purchase Receipt', 'installed'],
      ['Delivery Note', 'installed'],
    ]);
    expect(prepared(results)).toBe(false);
    const [po] = results;
    if (po?.outcome !== 'problem') throw new Error('expected a problem');
    expect(po.kind).toBe('field');
    expect(po.message).toContain('Purchase Order-custom_interco_marker exists but it is not Unique');
    expect(po.message).toContain(
      '1 marker(s) are carried by more than one Purchase Order (e.g. tr_dup:po_a:0)',
    );
    expect(po.message).toContain('Customize Form');
    const field = (await site.documents('Custom Field')).find((f) => f.dt === 'Purchase Order');
    expect(field?.unique ?? 0).toBe(0);
  });

  it('says a non-unique field without shared markers can be made unique as it is', async () => {
    const client = make();
    await client.insert('Custom Field', { dt: 'Delivery Note', label: 'Interco Marker', fieldtype: 'Data' });
    const results = await prepareInstance(client, { doctypes: ['Delivery Note'] });
    const [dn] = results;
    if (dn?.outcome !== 'problem') throw new Error('expected a problem');
    expect(dn.message).toContain('it is not Unique, it is not Read Only, it is not No Copy');
    expect(dn.message).toContain('0 Delivery Note document(s) carry a marker and no two share one');
  });

  it('without System Manager: an auth problem that says which role is missing', async () => {
    const results = await prepareInstance(make({ api_key: CLERK_KEY, api_secret: CLERK_SECRET }));
    expect(results.map((r) => (r.outcome === 'problem' ? r.kind : r.outcome))).toEqual([
      'auth',
      'auth',
      'auth',
    ]);
    const [po] = results;
    if (po?.outcome !== 'problem') throw new Error('expected a problem');
    expect(po.message).toMatch(/may not install Custom Fields: prepare needs the System Manager role/);
    expect(po.message).toContain('403 PermissionError');
    expect(await site.documents('Custom Field')).toEqual([]);
  });

  it('with credentials the site refuses: an auth problem about the credentials', async () => {
    const results = await prepareInstance(make({ api_secret: 'wrong-secret' }), {
      doctypes: ['Purchase Order'],
    });
    const [po] = results;
    if (po?.outcome !== 'problem') throw new Error('expected a problem');
    expect(po.kind).toBe('auth');
    expect(po.message).toContain("refused the instance's API key and secret");
  });

  it('is safe to run twice at once: both succeed, one field per doctype', async () => {
    // slow inserts: both runs read "absent" before either insert commits, so both insert
    await site.setFaults({
      rules: [{ match: { doctype: 'Custom Field', http_method: 'POST' }, latency_ms: 100 }],
    });
    await site.resetRequests();
    const [first, second] = await Promise.all([prepareInstance(make()), prepareInstance(make())]);
    if (first === undefined || second === undefined) throw new Error('two results expected');
    expect(prepared(first)).toBe(true);
    expect(prepared(second)).toBe(true);
    for (const [i, doctype] of MARKED_DOCTYPES.entries()) {
      expect([first[i]?.outcome, second[i]?.outcome].sort(), doctype).toEqual(['already', 'installed']);
    }
    expect(await site.documents('Custom Field')).toHaveLength(3);
    expect(count(await site.requests(), 'POST /api/resource/:doctype')).toBe(6);
  });

  it('is safe to run from many places at once', async () => {
    const runs = await Promise.all(Array.from({ length: 5 }, () => prepareInstance(make())));
    expect(runs.every((results) => prepared(results))).toBe(true);
    expect(runs.flat().filter((r) => r.outcome === 'installed')).toHaveLength(3);
    expect(await site.documents('Custom Field')).toHaveLength(3);
  });
});
