import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErpnextClient } from '../client/erpnext-client.js';
import { ErpnextError } from '../errors/erpnext-error.js';
import { rejection } from '../test-support/rejection.js';
import { count, purchaseOrder, SimSite, sleep } from '../test-support/sim-site.js';
import { insertOnce } from './insert-once.js';
import { findByMarker } from './lookup.js';
import { MARKER_FIELD, MARKER_FIELDNAME, marker } from './marker.js';
import { MarkerError } from './marker-error.js';
import { prepared, prepareInstance } from './prepare.js';

// insertOnce (find-before-create) and findByMarker against a simulated site with the marker field
// installed by prepareInstance, including lost answers, slow commits and cancelled documents.

const PO = 'Purchase Order';
const PO_INSERTS = { doctype: PO, http_method: 'POST' };
const INSERT = 'POST /api/resource/:doctype';
const LIST = 'GET /api/resource/:doctype';
const TRANSFER = 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B';

async function markerError(promise: Promise<unknown>): Promise<MarkerError> {
  const error = await rejection(promise);
  if (error instanceof MarkerError) return error;
  throw error;
}

async function erpnextError(promise: Promise<unknown>): Promise<ErpnextError> {
  const error = await rejection(promise);
  if (error instanceof ErpnextError) return error;
  throw error;
}

/** A client that wrongly believes the site's worker timeout is 1 s (see the slow-commit tests). */
const IMPATIENT = { worker_timeout_ms: 1_000, write_timeout_ms: 1_100 };

describe('insertOnce', () => {
  let site: SimSite;
  const clients: ErpnextClient[] = [];
  const make = (overrides: Parameters<SimSite['config']>[0] = {}) => {
    const client = new ErpnextClient(site.config(overrides), { retry: { baseDelayMs: 20 } });
    clients.push(client);
    return client;
  };
  let client: ErpnextClient;
  beforeAll(async () => {
    site = await SimSite.start();
  });
  beforeEach(async () => {
    await site.reset();
    client = make();
    expect(prepared(await prepareInstance(client))).toBe(true);
    await site.resetRequests();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => site.close());

  /** Committed Purchase Orders carrying `value`, as the site stores them. */
  async function ordersWith(value: string): Promise<Array<Record<string, unknown>>> {
    return (await site.documents(PO)).filter((doc) => doc[MARKER_FIELDNAME] === value);
  }

  it('creates the document, submitted, with the marker', async () => {
    const m = marker(TRANSFER, 'po_a', 0);
    const result = await insertOnce(client, PO, purchaseOrder(), { marker: m });
    expect([result.outcome, result.via]).toEqual(['created', 'insert']);
    expect(result.doc).toMatchObject({ docstatus: 1, [MARKER_FIELDNAME]: m });
    expect(await ordersWith(m)).toHaveLength(1);
    const stats = await site.requests();
    expect([count(stats, LIST), count(stats, INSERT)]).toEqual([1, 1]); // looked up first
  });

  it('on a first delivery, inserts without looking up', async () => {
    const m = marker(TRANSFER, 'po_a', 1);
    const result = await insertOnce(client, PO, purchaseOrder(), { marker: m, firstDelivery: true });
    expect(result.outcome).toBe('created');
    const stats = await site.requests();
    expect([count(stats, LIST), count(stats, INSERT)]).toEqual([0, 1]);
  });

  it('finds the document on a second call and inserts nothing', async () => {
    const m = marker(TRANSFER, 'po_a', 0);
    const first = await insertOnce(client, PO, purchaseOrder(), { marker: m });
    await site.resetRequests();
    const second = await insertOnce(client, PO, purchaseOrder(), { marker: m });
    expect([second.outcome, second.via]).toEqual(['found', 'lookup']);
    expect(second.doc.name).toBe(first.doc.name);
    expect(second.doc.items).toHaveLength(1); // the whole document, child rows included
    expect(count(await site.requests(), INSERT)).toBe(0);
    expect(await ordersWith(m)).toHaveLength(1);
  });

  it('submits a draft that carries the marker', async () => {
    const m = marker(TRANSFER, 'po_a', 2);
    const draft = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }));
    expect(draft.docstatus).toBe(0);
    const result = await insertOnce(client, PO, purchaseOrder(), { marker: m });
    expect([result.outcome, result.via]).toEqual(['submitted_draft', 'lookup']);
    expect(result.doc).toMatchObject({ name: draft.name, docstatus: 1 });
    const stored = await ordersWith(m);
    expect(stored.map((doc) => [doc.name, doc.docstatus])).toEqual([[draft.name, 1]]);
  });

  it('submits a draft whose submit answer is lost: reads it back, submitted', async () => {
    const m = marker(TRANSFER, 'po_a', 14);
    const draft = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }));
    await site.setFaults({
      rules: [{ match: { method: 'frappe.client.submit' }, commit_then_drop: true, times: 1 }],
    });
    await site.resetRequests();
    const result = await insertOnce(client, PO, purchaseOrder(), { marker: m });
    expect([result.outcome, result.via, result.doc.name, result.doc.docstatus]).toEqual([
      'submitted_draft',
      'lookup',
      draft.name,
      1,
    ]);
    const stats = await site.requests();
    expect([count(stats, 'POST /api/method/frappe.client.submit'), count(stats, INSERT)]).toEqual([1, 0]);
  });

  it('with submit false, reuses a draft as it is', async () => {
    const m = marker(TRANSFER, 'po_a', 3);
    const draft = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }));
    const result = await insertOnce(client, PO, purchaseOrder(), { marker: m, submit: false });
    expect([result.outcome, result.doc.name, result.doc.docstatus]).toEqual(['found', draft.name, 0]);
  });

  it('turns a duplicate insert (UniqueValidationError on the marker) into the existing document', async () => {
    const m = marker(TRANSFER, 'po_a', 0);
    const existing = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }), { submit: true });
    await site.resetRequests();
    // a first delivery skips the lookup: the database refuses the copy and the document is read back
    const result = await insertOnce(client, PO, purchaseOrder(), { marker: m, firstDelivery: true });
    expect([result.outcome, result.via, result.doc.name]).toEqual([
      'found',
      'unique_conflict',
      existing.name,
    ]);
    expect(count(await site.requests(), INSERT)).toBe(1);
    expect(await ordersWith(m)).toHaveLength(1);
  });

  it('a duplicate insert of a draft: reads it back and submits it', async () => {
    const m = marker(TRANSFER, 'po_a', 4);
    const draft = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }));
    const result = await insertOnce(client, PO, purchaseOrder(), { marker: m, firstDelivery: true });
    expect([result.outcome, result.via, result.doc.name]).toEqual([
      'submitted_draft',
      'unique_conflict',
      draft.name,
    ]);
    expect(result.doc.docstatus).toBe(1);
  });

  it('commit-then-drop: returns the document that was committed, and the site holds exactly one', async () => {
    const m = marker(TRANSFER, 'po_a', 5);
    await site.setFaults({ rules: [{ match: PO_INSERTS, commit_then_drop: true, times: 1 }] });
    const result = await insertOnce(client, PO, purchaseOrder(), { marker: m });
    expect([result.outcome, result.via]).toEqual(['found', 'outcome_unknown']);
    const stored = await ordersWith(m);
    expect(stored.map((doc) => [doc.name, doc.docstatus])).toEqual([[result.doc.name, 1]]);
    const stats = await site.requests();
    // looked up, inserted once (answer lost), looked up again: never a second insert
    expect([count(stats, LIST), count(stats, INSERT)]).toEqual([2, 1]);
  });

  it('a lost answer with nothing committed (504): rethrows the transient error, inserts once', async () => {
    const m = marker(TRANSFER, 'po_a', 6);
    await site.setFaults({ rules: [{ match: PO_INSERTS, error_rates: { '504': 1 }, times: 1 }] });
    const error = await erpnextError(insertOnce(client, PO, purchaseOrder(), { marker: m }));
    expect([error.kind, error.reason, error.outcomeUnknown, error.status]).toEqual([
      'transient',
      'gateway',
      true,
      504,
    ]);
    const stats = await site.requests();
    expect([count(stats, LIST), count(stats, INSERT)]).toEqual([2, 1]);
    expect(await ordersWith(m)).toEqual([]);
    // the step's next attempt creates it
    expect((await insertOnce(client, PO, purchaseOrder(), { marker: m })).outcome).toBe('created');
  });

  it("a transient failure that surely did not write (Frappe's 500 QueryDeadlockError, rolled back): rethrown without a lookup or a retry", async () => {
    const m = marker(TRANSFER, 'po_a', 7);
    await site.setFaults({ rules: [{ match: PO_INSERTS, error_rates: { deadlock: 1 }, times: 1 }] });
    const error = await erpnextError(insertOnce(client, PO, purchaseOrder(), { marker: m }));
    expect([error.kind, error.reason, error.outcomeUnknown]).toEqual(['transient', 'deadlock', false]);
    const stats = await site.requests();
    expect([count(stats, LIST), count(stats, INSERT)]).toEqual([1, 1]);
  });

  it('a permanent refusal is passed on as it is', async () => {
    const m = marker(TRANSFER, 'po_a', 8);
    const error = await erpnextError(
      insertOnce(client, PO, purchaseOrder({ supplier: 'Nobody' }), { marker: m }),
    );
    expect([error.kind, error.reason]).toEqual(['permanent', 'validation']);
    expect(error.messages).toEqual(['Could not find Supplier: Nobody']);
    expect(count(await site.requests(), INSERT)).toBe(1);
  });

  describe('slow commit, with a write timeout shorter than the commit', () => {
    // Interco's rule is write timeout > worker timeout, so that the lookup after a client timeout
    // tells the truth. Here the rule is broken on purpose: the client is told the site's workers
    // time out after 1 s (the simulated site's really do after 120 s), so its 1.1 s write timeout
    // passes the configuration check, and the commit is still pending when it gives up.
    it('the lookup finds nothing yet, so the timeout is rethrown; a later call finds the document', async () => {
      const m = marker(TRANSFER, 'po_a', 9);
      const impatient = make(IMPATIENT);
      await site.setFaults({ rules: [{ match: PO_INSERTS, slow_commit_ms: 2_500, times: 1 }] });
      const error = await erpnextError(insertOnce(impatient, PO, purchaseOrder(), { marker: m }));
      expect([error.kind, error.reason, error.outcomeUnknown]).toEqual(['transient', 'timeout', true]);
      expect(count(await site.requests(), LIST)).toBe(2); // looked up before, and after the timeout
      expect(await ordersWith(m)).toEqual([]); // still committing
      // the step retries later, once the commit has landed
      for (let i = 0; i < 40 && (await ordersWith(m)).length === 0; i++) await sleep(100);
      const later = await insertOnce(impatient, PO, purchaseOrder(), { marker: m });
      expect([later.outcome, later.via]).toEqual(['found', 'lookup']);
      expect((await ordersWith(m)).map((doc) => doc.name)).toEqual([later.doc.name]);
      expect(count(await site.requests(), INSERT)).toBe(1);
    });

    it('a retry while the commit is pending waits on the marker, is refused, and reuses the document', async () => {
      const m = marker(TRANSFER, 'po_a', 10);
      const impatient = make(IMPATIENT);
      await site.setFaults({ rules: [{ match: PO_INSERTS, slow_commit_ms: 2_500, times: 1 }] });
      const error = await erpnextError(insertOnce(impatient, PO, purchaseOrder(), { marker: m }));
      expect(error.reason).toBe('timeout');
      // at once, with the default (long) write timeout: the lookup finds nothing, the insert
      // waits for the pending one's lock on the marker, then the unique index refuses it
      const retry = await insertOnce(client, PO, purchaseOrder(), { marker: m });
      expect([retry.outcome, retry.via]).toEqual(['found', 'unique_conflict']);
      expect((await ordersWith(m)).map((doc) => doc.name)).toEqual([retry.doc.name]);
      expect(count(await site.requests(), INSERT)).toBe(2);
    });
  });

  describe('a cancelled document keeps its marker', () => {
    it('the lookup ignores it, the insert is refused, and the error says what a person must do', async () => {
      const m = marker(TRANSFER, 'po_a', 11);
      const first = await insertOnce(client, PO, purchaseOrder(), { marker: m });
      await client.cancel(PO, first.doc.name);
      expect(await findByMarker(client, PO, m)).toEqual([]);
      await site.resetRequests();
      const error = await markerError(insertOnce(client, PO, purchaseOrder(), { marker: m }));
      expect([error.kind, error.reason, error.retryable]).toEqual([
        'permanent',
        'marker_held_by_cancelled',
        false,
      ]);
      expect(error.documents).toEqual([{ name: first.doc.name, docstatus: 2, modified: expect.any(String) }]);
      expect(error.messages[0]).toBe(
        `The Interco marker ${m} is held by the cancelled Purchase Order ${first.doc.name}, and no live document carries it.`,
      );
      expect(error.describe()).toContain('cancel this transfer and request it again');
      expect(error.cause).toBeInstanceOf(ErpnextError);
      expect(count(await site.requests(), INSERT)).toBe(1);
      expect((await ordersWith(m)).map((doc) => doc.docstatus)).toEqual([2]);
    });
  });

  describe('two live documents with one marker', () => {
    it('is duplicate_found, for a person, and nothing is written', async () => {
      // a site whose marker field is not unique (installed by hand): duplicates can exist
      await site.reset();
      await client.insert('Custom Field', { dt: PO, label: 'Interco Marker', fieldtype: 'Data' });
      const m = marker(TRANSFER, 'po_a', 12);
      const a = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }), { submit: true });
      const b = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }));
      await site.resetRequests();
      const error = await markerError(insertOnce(client, PO, purchaseOrder(), { marker: m }));
      expect([error.kind, error.reason, error.doctype, error.marker]).toEqual([
        'permanent',
        'duplicate_found',
        PO,
        m,
      ]);
      expect(error.documents.map((doc) => [doc.name, doc.docstatus])).toEqual([
        [a.name, 1],
        [b.name, 0],
      ]);
      expect(error.messages[0]).toBe(
        `2 live Purchase Order documents carry the Interco marker ${m}: ${a.name} (submitted), ${b.name} (draft).`,
      );
      expect(error.toJSON()).toMatchObject({
        kind: 'permanent',
        reason: 'duplicate_found',
        instanceId: 'company-a',
      });
      expect(count(await site.requests(), INSERT)).toBe(0);
      expect(await findByMarker(client, PO, m)).toHaveLength(2);
    });

    it('a cancelled copy does not count', async () => {
      await site.reset();
      await client.insert('Custom Field', { dt: PO, label: 'Interco Marker', fieldtype: 'Data' });
      const m = marker(TRANSFER, 'po_a', 13);
      const cancelled = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }), { submit: true });
      await client.cancel(PO, cancelled.name);
      const live = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }), { submit: true });
      const result = await insertOnce(client, PO, purchaseOrder(), { marker: m });
      expect([result.outcome, result.doc.name]).toEqual(['found', live.name]);
    });
  });

  describe('expected content: a document found by marker must carry the expected quantities', () => {
    const TWO_PINS = { items: [{ item_code: 'PIN-001', qty: 2 }] };
    const OTHER_CUT = {
      items: [
        { item_code: 'PIN-001', qty: 1 },
        { item_code: 'PIN-002', qty: 3 },
      ],
    };

    it('reuses a document that carries them, item codes compared as MariaDB does', async () => {
      const m = marker(TRANSFER, 'po_a', 20);
      const body = purchaseOrder({
        items: [
          { item_code: 'PIN-001', qty: 1, rate: 10.5 },
          { item_code: 'PIN-002', qty: 3, rate: 10.5 },
          { item_code: 'PIN-001', qty: 1, rate: 10.5 },
        ],
      });
      const first = await insertOnce(client, PO, body, {
        marker: m,
        expected: {
          items: [
            { item_code: 'pin-001', qty: 2 },
            { item_code: 'PIN-002', qty: 3 },
          ],
        },
      });
      expect(first.outcome).toBe('created');
      const again = await insertOnce(client, PO, body, {
        marker: m,
        expected: {
          items: [
            { item_code: 'PIN-002', qty: 3 },
            { item_code: 'Pin-001', qty: 1 },
            { item_code: 'PIN-001', qty: 1 },
          ],
        },
      });
      expect([again.outcome, again.via, again.doc.name]).toEqual(['found', 'lookup', first.doc.name]);
    });

    it('lookup: other quantities are marker_content_mismatch, naming the document and the counts', async () => {
      const m = marker(TRANSFER, 'po_a', 21);
      const made = await insertOnce(client, PO, purchaseOrder(), { marker: m, expected: TWO_PINS });
      await site.resetRequests();
      const error = await markerError(
        insertOnce(client, PO, purchaseOrder(), { marker: m, expected: OTHER_CUT }),
      );
      expect([error.kind, error.reason, error.retryable, error.doctype, error.marker]).toEqual([
        'permanent',
        'marker_content_mismatch',
        false,
        PO,
        m,
      ]);
      expect(error.documents).toEqual([{ name: made.doc.name, docstatus: 1, modified: expect.any(String) }]);
      expect(error.messages[0]).toBe(
        `Purchase Order ${made.doc.name} (submitted) carries the Interco marker ${m} but not the quantities this step expects: PIN-001: 1 expected, 2 carried; PIN-002: 3 expected, none carried.`,
      );
      expect(error.messages.join(' ')).toMatch(/chunked with other limits/);
      expect(count(await site.requests(), INSERT)).toBe(0);
    });

    it('lookup: a draft with other quantities is neither reused nor submitted', async () => {
      const m = marker(TRANSFER, 'po_a', 22);
      const draft = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }));
      const error = await markerError(
        insertOnce(client, PO, purchaseOrder(), { marker: m, expected: OTHER_CUT }),
      );
      expect(error.reason).toBe('marker_content_mismatch');
      expect(error.documents.map((doc) => [doc.name, doc.docstatus])).toEqual([[draft.name, 0]]);
      expect(error.messages[1]).toBe('Interco will not reuse it (nor submit it).');
      expect((await ordersWith(m)).map((doc) => doc.docstatus)).toEqual([0]);
    });

    it('unique-conflict read-back: the existing document is checked too', async () => {
      const m = marker(TRANSFER, 'po_a', 23);
      const existing = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }), { submit: true });
      await site.resetRequests();
      const error = await markerError(
        insertOnce(client, PO, purchaseOrder(), { marker: m, firstDelivery: true, expected: OTHER_CUT }),
      );
      expect([error.reason, error.documents[0]?.name]).toEqual(['marker_content_mismatch', existing.name]);
      expect(error.messages[0]).toContain('PIN-001: 1 expected, 2 carried');
      expect(count(await site.requests(), INSERT)).toBe(1); // the refused insert, nothing more
      expect(await ordersWith(m)).toHaveLength(1);
    });

    it('outcome-unknown read-back: the document found is checked too', async () => {
      const m = marker(TRANSFER, 'po_a', 24);
      await site.setFaults({ rules: [{ match: PO_INSERTS, commit_then_drop: true, times: 1 }] });
      // the body and `expected` disagree on purpose: what was committed is not what was expected
      const error = await markerError(
        insertOnce(client, PO, purchaseOrder(), { marker: m, expected: OTHER_CUT }),
      );
      expect(error.reason).toBe('marker_content_mismatch');
      const stored = await ordersWith(m);
      expect(stored.map((doc) => doc.name)).toEqual([error.documents[0]?.name]);
      expect(count(await site.requests(), INSERT)).toBe(1);
    });

    it('never names a serial in the error', async () => {
      const m = marker(TRANSFER, 'pr_b', 25);
      const serial = 'SECRET-SERIAL-0001';
      const receipt = {
        supplier: 'Proveedor de Pines SA',
        company: 'Compania A',
        set_warehouse: 'Stores - CA',
        items: [{ item_code: 'PIN-001', qty: 1, rate: 10.5, serial_no: serial }],
      };
      await insertOnce(client, 'Purchase Receipt', receipt, { marker: m });
      const error = await markerError(
        insertOnce(client, 'Purchase Receipt', receipt, {
          marker: m,
          expected: { items: [{ item_code: 'PIN-001', qty: 2 }] },
        }),
      );
      expect(error.reason).toBe('marker_content_mismatch');
      expect(JSON.stringify(error)).not.toContain(serial);
      expect(error.message).not.toContain(serial);
    });

    it('refuses a malformed expectation before any request', async () => {
      const m = marker(TRANSFER, 'po_a', 26);
      await expect(
        insertOnce(client, PO, purchaseOrder(), {
          marker: m,
          expected: { items: [{ item_code: ' ', qty: 1 }] },
        }),
      ).rejects.toThrow(RangeError);
      await expect(
        insertOnce(client, PO, purchaseOrder(), {
          marker: m,
          expected: { items: [{ item_code: 'PIN-001', qty: Number.NaN }] },
        }),
      ).rejects.toThrow(RangeError);
      expect((await site.requests()).total).toBe(0);
    });
  });

  it('on a site without the marker field: marker_field_missing, saying to run prepare', async () => {
    await site.reset();
    const error = await markerError(
      insertOnce(client, PO, purchaseOrder(), { marker: marker(TRANSFER, 'po_a', 0) }),
    );
    expect([error.kind, error.reason]).toEqual(['permanent', 'marker_field_missing']);
    expect(error.messages.join(' ')).toMatch(/Run prepare for this instance/);
    expect(await site.documents(PO)).toEqual([]);
  });

  it('refuses a blank marker, or a body that carries another one', async () => {
    await expect(insertOnce(client, PO, purchaseOrder(), { marker: ' ' })).rejects.toThrow(RangeError);
    await expect(
      insertOnce(client, PO, purchaseOrder({ [MARKER_FIELDNAME]: 'tr_x:po_a:1' }), { marker: 'tr_x:po_a:2' }),
    ).rejects.toThrow('the document carries the marker tr_x:po_a:1, not tr_x:po_a:2');
    await expect(findByMarker(client, PO, '')).rejects.toThrow(RangeError);
    expect((await site.requests()).total).toBe(0);
  });
});

describe('findByMarker', () => {
  let site: SimSite;
  let client: ErpnextClient;
  beforeAll(async () => {
    site = await SimSite.start();
    client = new ErpnextClient(site.config());
    await prepareInstance(client);
  });
  afterAll(async () => {
    await client.close();
    await site.close();
  });

  it('answers [] when no document carries the marker', async () => {
    expect(await findByMarker(client, PO, 'tr_none:po_a:0')).toEqual([]);
  });

  it('answers the live document in full, matching the marker as ERPNext does (case-insensitively)', async () => {
    const m = 'tr_find:po_a:0';
    const po = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }), {
      submit: true,
      marker: MARKER_FIELD,
    });
    const found = await findByMarker(client, PO, m.toUpperCase());
    expect(found.map((doc) => [doc.name, doc.docstatus, doc[MARKER_FIELDNAME]])).toEqual([[po.name, 1, m]]);
    expect(found[0]?.items).toHaveLength(1);
  });

  it('ignores cancelled documents', async () => {
    const m = 'tr_find:po_a:1';
    const po = await client.insert(PO, purchaseOrder({ [MARKER_FIELDNAME]: m }), { submit: true });
    await client.cancel(PO, po.name);
    expect(await findByMarker(client, PO, m)).toEqual([]);
  });
});
