import { describe, expect, it } from 'vitest';
import type { StepView, TransferView } from '../api/types.js';
import { pendingStep } from '../test-support/fixtures.js';
import { listChange, matchesFilters, newestFirst, type ShownPage } from './list-updates.js';

const step: StepView = pendingStep;

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

/**
 * A page showing the transfers of these minutes (newest first); `created`: the minutes of the
 * transfers created since it was read, `counted`: those already counted as new.
 */
function page(
  minutes: readonly number[],
  firstPage: boolean,
  {
    pageSize = 3,
    created = [],
    counted = [],
  }: { pageSize?: number; created?: number[]; counted?: number[] } = {},
): ShownPage {
  const ids = (of: readonly number[]) => new Set(of.map((minute) => transfer(minute).transfer_id));
  return {
    rows: minutes.map((minute) => transfer(minute)),
    firstPage,
    pageSize,
    createdSinceRead: ids(created),
    counted: ids(counted),
  };
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

  it('re-reads the first page for an older transfer that newly matches its filter and belongs on it', () => {
    // Failed filter, a full first page of failed transfers at 30, 20, 10; the transfer of 15
    // (created before the top row) fails now: the re-read puts it between 20 and 10, the page
    // keeps its size (the tracker's page, not an insertion at the top).
    const failed = page([30, 20, 10], true);
    expect(listChange(transfer(15, { status: 'failed' }), failed, { status: 'failed' })).toEqual({
      kind: 'reload_first_page',
    });
    // Older than the last row of the full page: it belongs on a later page.
    expect(listChange(transfer(5, { status: 'failed' }), failed, { status: 'failed' })).toEqual({
      kind: 'ignore',
    });
  });

  it('with a serial filter, ignores every transfer not on the page (the view cannot tell its serials)', () => {
    expect(listChange(transfer(40), page([30, 20, 10], true), { serial: 'SN-1' })).toEqual({
      kind: 'ignore',
    });
    expect(listChange(transfer(40), page([], true), { serial: 'SN-1' })).toEqual({ kind: 'ignore' });
    expect(
      listChange(transfer(40), page([30, 20, 10], false, { created: [40] }), { serial: 'SN-1' }),
    ).toEqual({
      kind: 'ignore',
    });
    // A row on the page is still updated in place.
    expect(listChange(transfer(20), page([30, 20, 10], true), { serial: 'SN-1' })).toEqual({
      kind: 'update',
    });
  });

  it('counts a transfer created since a later page was read ("N new transfers"), once', () => {
    const later = page([30, 20, 10], false, { created: [40] });
    expect(listChange(transfer(40), later, {})).toEqual({ kind: 'count_new' });
    // Each further event for it changes nothing: it is counted already.
    expect(
      listChange(transfer(40, { current_step: 'dn_a' }), { ...later, counted: later.createdSinceRead }, {}),
    ).toEqual({
      kind: 'ignore',
    });
  });

  it('never counts a change to a transfer that existed when a later page was read', () => {
    // A running transfer of the first page (newer than this page's rows): each of its steps is
    // an event, none of them makes it new.
    for (const current_step of ['po_a', 'pr_a', 'dn_a', 'pr_b'] as const)
      expect(listChange(transfer(40, { current_step }), page([30, 20, 10], false), {})).toEqual({
        kind: 'ignore',
      });
    expect(listChange(transfer(25), page([30, 20, 10], false), {})).toEqual({ kind: 'ignore' });
    expect(listChange(transfer(5), page([30, 20, 10], false), {})).toEqual({ kind: 'ignore' });
  });

  it('counts a new transfer on a later page only once it matches the filters', () => {
    const later = page([30, 20, 10], false, { created: [40] });
    expect(listChange(transfer(40), later, { status: 'failed' })).toEqual({ kind: 'ignore' });
    expect(listChange(transfer(40, { status: 'failed' }), later, { status: 'failed' })).toEqual({
      kind: 'count_new',
    });
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

  it('leaves the serial filter out (listChange ignores transfers not on the page when it is set)', () => {
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

describe('listChange over a stream of changes: the page keeps its size and its order', () => {
  it('never holds more rows than its page size, and no older transfer ever goes on top', () => {
    // Twenty transfers, a "failed" filter, a first page of 5; a seeded stream of 400 changes
    // (a transfer fails, or recovers): each is placed as listChange says, the re-read of the
    // first page and the periodic refresh being what the tracker answers (the newest 5 that match).
    const pageSize = 5;
    const filters = { status: 'failed' } as const;
    let state = new Map(
      Array.from({ length: 20 }, (_, index) => {
        const view = transfer(index + 1, { status: index % 3 === 0 ? 'failed' : 'in_progress' });
        return [view.transfer_id, view] as const;
      }),
    );
    const trackerPage = () =>
      [...state.values()]
        .filter((view) => view.status === 'failed')
        .sort(newestFirst)
        .slice(0, pageSize);
    let rows: TransferView[] = trackerPage();
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    let reloads = 0;
    for (let change = 0; change < 400; change++) {
      // The periodic refresh (every 30 s in the page): the same page read again.
      if (change % 10 === 0) rows = trackerPage();
      const minute = random(20) + 1;
      const id = transfer(minute).transfer_id;
      const before = state.get(id) ?? transfer(minute);
      const view = {
        ...before,
        status: before.status === 'failed' ? 'in_progress' : 'failed',
      } as TransferView;
      state = new Map(state).set(id, view);
      const shown: ShownPage = {
        rows,
        firstPage: true,
        pageSize,
        createdSinceRead: new Set(),
        counted: new Set(),
      };
      const top = rows[0];
      const decided = listChange(view, shown, filters);
      if (decided.kind === 'update') {
        rows = rows.map((row) => (row.transfer_id === id ? view : row));
      } else if (decided.kind === 'reload_first_page') {
        reloads++;
        rows = trackerPage();
        // The transfer that asked for the re-read sits in its created_at place, never above a
        // newer one shown before.
        if (top !== undefined && newestFirst(view, top) > 0) expect(rows[0]?.transfer_id).not.toBe(id);
      }
      expect(rows.length).toBeLessThanOrEqual(pageSize);
      expect([...rows].sort(newestFirst)).toEqual(rows);
    }
    // The stream did exercise the re-read (not only in-place updates).
    expect(reloads).toBeGreaterThan(10);
  });
});
