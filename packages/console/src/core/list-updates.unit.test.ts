import { describe, expect, it } from 'vitest';
import type { StepView, TransferView } from '../api/types.js';
import { listChange, matchesFilters, newestFirst, type ShownPage } from './list-updates.js';

const step: StepView = {
  status: 'pending',
  attempts: 0,
  documents: [],
  cancelled_documents: [],
  last_error: null,
  waiting: null,
  started_at: null,
  finished_at: null,
  duration_ms: null,
};

/** A transfer created at minute `minute` of the day (ids follow the same order). */
function transfer(minute: number, overrides: Partial<TransferView> = {}): TransferView {
  const id = `tr_01JD8X3Z7Q5K2M9V4W6R8T${String(minute).padStart(4, '0')}`;
  const created = new Date(Date.UTC(2026, 11, 5, 10, minute)).toISOString();
  return {
    transfer_id: id,
    status: 'in_progress',
    stuck: false,
    current_step: 'pr_a',
    failed_step: null,
    generation: 1,
    created_at: created,
    updated_at: created,
    request: {
      instances: { a: 'site-a', b: 'site-b' },
      companies: {
        a: 'Compania A',
        b: 'Compania B',
        b_customer_in_a: 'Cliente B',
        a_supplier_in_b: 'Proveedor A',
      },
      supplier: 'Proveedor',
      warehouses: { a: 'Stores - CA', b: 'Stores - CB' },
      counts: { items: 1, serials: 2 },
      reference: 'REF-1',
      actor: 'tok_1',
    },
    steps: { po_a: step, pr_a: step, dn_a: step, pr_b: step },
    last_error: null,
    ...overrides,
  };
}

/** A page showing the transfers of these minutes (newest first). */
function page(minutes: readonly number[], firstPage: boolean, pageSize = 3): ShownPage {
  return { rows: minutes.map((minute) => transfer(minute)), firstPage, pageSize };
}

describe('listChange: what the list does with a re-read transfer', () => {
  it('updates a transfer on the page in place, wherever it is and whatever it became', () => {
    expect(listChange(transfer(20, { status: 'failed' }), page([30, 20, 10], true), {})).toEqual({
      kind: 'update',
    });
    // Even when it no longer matches the filter: the row stays where it is, changed.
    expect(
      listChange(transfer(20, { status: 'completed' }), page([30, 20, 10], false), { status: 'failed' }),
    ).toEqual({
      kind: 'update',
    });
  });

  it('re-reads the first page for a new transfer that matches, when the first page is shown', () => {
    expect(listChange(transfer(40), page([30, 20, 10], true), {})).toEqual({ kind: 'reload_first_page' });
    // A page not full yet (or empty) takes any matching transfer.
    expect(listChange(transfer(5), page([30, 20], true), {})).toEqual({ kind: 'reload_first_page' });
    expect(listChange(transfer(5), page([], true), {})).toEqual({ kind: 'reload_first_page' });
  });

  it('never brings an older transfer to the top of a full first page', () => {
    expect(listChange(transfer(5), page([30, 20, 10], true), {})).toEqual({ kind: 'ignore' });
  });

  it('counts a newer matching transfer on a later page ("N new transfers"), ignores older ones', () => {
    expect(listChange(transfer(40), page([30, 20, 10], false), {})).toEqual({ kind: 'count_new' });
    expect(listChange(transfer(25), page([30, 20, 10], false), {})).toEqual({ kind: 'ignore' });
    expect(listChange(transfer(5), page([30, 20, 10], false), {})).toEqual({ kind: 'ignore' });
  });

  it('ignores a transfer the filters leave out', () => {
    expect(listChange(transfer(40), page([30, 20, 10], true), { status: 'failed' })).toEqual({
      kind: 'ignore',
    });
    expect(listChange(transfer(40), page([30, 20, 10], false), { instance: 'site-c' })).toEqual({
      kind: 'ignore',
    });
  });
});

describe('matchesFilters', () => {
  const view = transfer(30);
  it('checks each filter the view can tell', () => {
    expect(matchesFilters(view, {})).toBe(true);
    expect(matchesFilters(view, { status: 'in_progress', step: 'pr_a' })).toBe(true);
    expect(matchesFilters(view, { status: 'failed' })).toBe(false);
    expect(matchesFilters(view, { step: 'po_a' })).toBe(false);
    expect(matchesFilters(view, { stuck: true })).toBe(false);
    expect(matchesFilters(transfer(30, { stuck: true }), { stuck: true })).toBe(true);
    expect(matchesFilters(view, { instance: 'site-b' })).toBe(true);
    expect(matchesFilters(view, { instance: 'site-x' })).toBe(false);
    for (const company of ['Compania A', 'Compania B', 'Cliente B', 'Proveedor A'])
      expect(matchesFilters(view, { company })).toBe(true);
    expect(matchesFilters(view, { company: 'Otra' })).toBe(false);
    expect(matchesFilters(view, { reference: 'REF-1' })).toBe(true);
    expect(matchesFilters(view, { reference: 'REF-2' })).toBe(false);
    expect(matchesFilters(transfer(30, { request: null }), { instance: 'site-a' })).toBe(false);
  });

  it('compares the creation time with the local days of the date filters', () => {
    const created = new Date(view.created_at);
    const day = (date: Date) =>
      `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
    const next = new Date(created.getFullYear(), created.getMonth(), created.getDate() + 1);
    const before = new Date(created.getFullYear(), created.getMonth(), created.getDate() - 1);
    expect(matchesFilters(view, { created_from: day(created), created_to: day(created) })).toBe(true);
    expect(matchesFilters(view, { created_from: day(next) })).toBe(false);
    expect(matchesFilters(view, { created_to: day(before) })).toBe(false);
  });

  it('takes the serial filter as matching (the tracker decides when it reads the page)', () => {
    expect(matchesFilters(view, { serial: 'SN-1' })).toBe(true);
  });
});

describe('newestFirst', () => {
  it('orders by creation time, then id, both descending', () => {
    expect(newestFirst(transfer(30), transfer(20))).toBeLessThan(0);
    expect(newestFirst(transfer(20), transfer(30))).toBeGreaterThan(0);
    const a = { transfer_id: 'tr_B', created_at: '2026-12-05T10:00:00.000Z' };
    const b = { transfer_id: 'tr_A', created_at: '2026-12-05T10:00:00.000Z' };
    expect(newestFirst(a, b)).toBeLessThan(0);
    expect(newestFirst(a, a)).toBe(0);
  });
});
