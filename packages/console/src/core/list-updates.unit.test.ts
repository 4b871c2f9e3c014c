import { describe, expect, it } from 'vitest';
import type { StepView, TransferView } from '../api/types.js';
import { pendingStep } from '../test-support/fixtures.js';
import {
  isCreatedSinceRead,
  listChange,
  matchesFilters,
  newestFirst,
  type ShownPage,
} from './list-updates.js';

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
 * transfers created since it was read and not counted yet.
 */
function page(
  minutes: readonly number[],
  firstPage: boolean,
  { pageSize = 3, created = [] }: { pageSize?: number; created?: number[] } = {},
): ShownPage {
  return {
    rows: minutes.map((minute) => transfer(minute)),
    firstPage,
    pageSize,
    createdSinceRead: new Set(created.map((minute) => transfer(minute).transfer_id)),
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
    const failed: ShownPage = {
      ...page([30, 20, 10], true),
      rows: [30, 20, 10].map((minute) => transfer(minute, { status: 'failed' })),
    };
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

  it('counts a transfer created since a later page was read ("N new transfers")', () => {
    const later = page([30, 20, 10], false, { created: [40] });
    expect(listChange(transfer(40), later, {})).toEqual({ kind: 'count_new' });
    // Once counted the page drops it from createdSinceRead: its further events change nothing.
    expect(listChange(transfer(40, { current_step: 'dn_a' }), page([30, 20, 10], false), {})).toEqual({
      kind: 'ignore',
    });
  });

  it('re-reads a full first page for an older transfer when a row shown no longer matches', () => {
    // Failed filter, first page [30, 20, 10]; 30 recovered (updated in place, still shown): the
    // tracker's first page is now 20, 10 and the next failed one. The transfer of 7 fails: it
    // may be that next one (it is for the tracker: [20, 10, 7]), so the page reads it again.
    const shown: ShownPage = {
      ...page([30, 20, 10], true),
      rows: [
        transfer(30, { status: 'in_progress' }),
        transfer(20, { status: 'failed' }),
        transfer(10, { status: 'failed' }),
      ],
    };
    expect(listChange(transfer(7, { status: 'failed' }), shown, { status: 'failed' })).toEqual({
      kind: 'reload_first_page',
    });
    // With every row still matching, the page is the tracker's: 7 is on a later page.
    const current: ShownPage = {
      ...page([30, 20, 10], true),
      rows: [30, 20, 10].map((minute) => transfer(minute, { status: 'failed' })),
    };
    expect(listChange(transfer(7, { status: 'failed' }), current, { status: 'failed' })).toEqual({
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

describe('isCreatedSinceRead: which live events make a transfer new for a later page', () => {
  it('takes a transfer.requested on a later page that is not a replay of an event older than the open', () => {
    expect(isCreatedSinceRead({ type: 'transfer.requested' }, false, false)).toBe(true);
    // Older than the stream's open: the page read after the open may show it, it is not new.
    expect(isCreatedSinceRead({ type: 'transfer.requested' }, true, false)).toBe(false);
    // Any other event, or the first page (it reads new transfers itself).
    expect(isCreatedSinceRead({ type: 'po_a.done' }, false, false)).toBe(false);
    expect(isCreatedSinceRead({ type: 'transfer.requested' }, false, true)).toBe(false);
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

describe('listChange over a stream of changes, checked against the tracker’s first page', () => {
  it('decides as the tracker’s first page says: update on the page, re-read when it enters or leaves, else nothing', () => {
    // Twenty seeded transfers (a third failed), a "failed" filter, a first page of 5; a seeded
    // stream of 600 changes (a transfer fails or recovers, now and then a new one is created).
    // The tracker's first page is modelled from the seeded set (the newest 5 failed); the page's
    // rows are what the page would show: the tracker's page when read (at the start, on each
    // re-read and on the periodic refresh), changed in place by updates in between.
    const pageSize = 5;
    const filters = { status: 'failed' } as const;
    const state = new Map<string, TransferView>();
    for (let minute = 1; minute <= 20; minute++) {
      const view = transfer(minute, { status: minute % 3 === 0 ? 'failed' : 'in_progress' });
      state.set(view.transfer_id, view);
    }
    const trackerPage = () =>
      [...state.values()]
        .filter((view) => matchesFilters(view, filters))
        .sort(newestFirst)
        .slice(0, pageSize);
    const ids = (views: readonly TransferView[]) => views.map((view) => view.transfer_id);
    let rows: TransferView[] = trackerPage();
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    let newest = 20;
    const seen = { update: 0, reload_first_page: 0, ignore: 0, staleReload: 0 };
    for (let change = 0; change < 600; change++) {
      // The periodic refresh: the same page read again.
      if (change % 15 === 0) rows = trackerPage();
      let view: TransferView;
      if (random(12) === 0) {
        newest++;
        view = transfer(newest, { status: random(2) === 0 ? 'failed' : 'in_progress' });
      } else {
        const before = state.get(transfer(random(newest) + 1).transfer_id) as TransferView;
        view = { ...before, status: before.status === 'failed' ? 'in_progress' : 'failed' };
      }
      const before = ids(trackerPage());
      state.set(view.transfer_id, view);
      const after = ids(trackerPage());
      const onPage = rows.some((row) => row.transfer_id === view.transfer_id);
      const entersOrLeaves = before.includes(view.transfer_id) !== after.includes(view.transfer_id);
      const inSync = JSON.stringify(ids(rows)) === JSON.stringify(before);
      const decided = listChange(
        view,
        { rows, firstPage: true, pageSize, createdSinceRead: new Set() },
        filters,
      );
      const context = `change ${change}: ${view.transfer_id} ${view.status}, rows ${ids(rows).join(',')}`;
      if (onPage) expect(decided.kind, context).toBe('update');
      else if (inSync) {
        // The rows are the tracker's page: the decision is exact.
        expect(decided.kind, context).toBe(entersOrLeaves ? 'reload_first_page' : 'ignore');
      } else {
        // A row shown no longer matches (kept in place until the next read): never miss a
        // transfer that enters the tracker's page; re-read only for one that matches.
        if (after.includes(view.transfer_id)) expect(decided.kind, context).toBe('reload_first_page');
        if (decided.kind === 'reload_first_page') {
          expect(view.status, context).toBe('failed');
          seen.staleReload++;
        }
      }
      if (inSync || onPage) seen[decided.kind === 'count_new' ? 'ignore' : decided.kind]++;
      if (decided.kind === 'update')
        rows = rows.map((row) => (row.transfer_id === view.transfer_id ? view : row));
      else if (decided.kind === 'reload_first_page') rows = trackerPage();
    }
    // Every outcome was exercised, in sync and with stale rows.
    expect(seen.update).toBeGreaterThan(10);
    expect(seen.reload_first_page).toBeGreaterThan(20);
    expect(seen.ignore).toBeGreaterThan(20);
    expect(seen.staleReload).toBeGreaterThan(5);
  });
});
