import type { TransferView } from '../api/types.js';
import { parseDay, type TransferFilters } from './filters.js';

/**
 * What the transfers list does with a transfer the live stream says changed, once it is re-read
 * (docs/console.md, "Rows never jump"). Pure. The rows shown never move because of an event: a
 * transfer on the page is updated in place; a new one that matches the filters makes the page
 * re-read the first page when the first page is shown (the tracker puts it in its place, the page
 * keeps its size), otherwise it is counted once ("N new transfers", a link to the first page); a
 * transfer created before the page's newest row never goes to the top. A change to a transfer
 * that existed when the page was read is never "new": only transfers created since count.
 * Checked against a model of the tracker's first page in list-updates.unit.test.ts.
 */

/** The event that says a transfer was created (docs/events.md). */
export const CREATED_EVENT = 'transfer.requested';

/**
 * Whether a live event makes its transfer one "created since a later page was read": a
 * `transfer.requested` on a later page (the first page reads new transfers itself) that is not a
 * replay of an event older than the stream's open (`replayed`, api/live.ts: the page was read
 * after the open, so such a transfer may be in the list already, and is not new).
 */
export function isCreatedSinceRead(
  event: { readonly type: string },
  replayed: boolean,
  firstPage: boolean,
): boolean {
  return !firstPage && event.type === CREATED_EVENT && !replayed;
}

/** The shown page: its rows (the tracker's order, newest first) and where it is. */
export interface ShownPage {
  /** The rows as shown (each updated in place by the stream: it may no longer match the filters). */
  readonly rows: readonly TransferView[];
  readonly firstPage: boolean;
  readonly pageSize: number;
  /**
   * The transfers created since a later page was read and not counted yet: those whose
   * `transfer.requested` event came on the stream the page was read after and is not a replay
   * (core/live-position.ts). No clock is compared: the browser's and the tracker's may differ.
   * The page drops an id once it is counted (so each is counted once).
   */
  readonly createdSinceRead: { has(id: string): boolean };
}

export type ListChange =
  /** The row is on the page: replace it where it is. */
  | { readonly kind: 'update' }
  /** The first page is shown and the transfer belongs on it: read the first page again. */
  | { readonly kind: 'reload_first_page' }
  /** A transfer created since this later page was read: count it in "N new transfers". */
  | { readonly kind: 'count_new' }
  /** Not this view's: no change on the page. */
  | { readonly kind: 'ignore' };

export function listChange(view: TransferView, page: ShownPage, filters: TransferFilters): ListChange {
  if (page.rows.some((row) => row.transfer_id === view.transfer_id)) return { kind: 'update' };
  // A view carries no serials: with a serial filter, a transfer not on the page cannot be told
  // to match (re-reading the first page for each would load the tracker while the stream is
  // busy); the periodic refresh brings the ones that do.
  if (filters.serial !== undefined) return { kind: 'ignore' };
  if (!matchesFilters(view, filters)) return { kind: 'ignore' };
  if (page.firstPage) {
    // The tracker's first page holds the newest `pageSize` transfers that match. The rows that
    // still match are that page's newest ones (a row that stopped matching stays where it is,
    // changed, until the next read; the tracker's page then reaches further back). When they fill
    // the page, a transfer older than the last of them is on a later page (where it stays);
    // otherwise the first page may have room for it: read it again.
    const matching = page.rows.filter((row) => matchesFilters(row, filters));
    const oldest = matching[matching.length - 1];
    if (oldest === undefined || matching.length < page.pageSize) return { kind: 'reload_first_page' };
    return newestFirst(view, oldest) < 0 ? { kind: 'reload_first_page' } : { kind: 'ignore' };
  }
  // A later page: only a transfer created since it was read is news (the first page has it).
  if (page.createdSinceRead.has(view.transfer_id)) return { kind: 'count_new' };
  return { kind: 'ignore' };
}

/**
 * Whether a transfer matches the list's filters, as far as its view tells (the tracker's
 * clauses: services/tracker/src/queries/transfer-filter.ts). The serial filter cannot be
 * checked here (a view carries no serials) and is left out: listChange ignores transfers not on
 * the page when it is set.
 */
export function matchesFilters(view: TransferView, filters: TransferFilters): boolean {
  if (filters.status !== undefined && view.status !== filters.status) return false;
  if (filters.step !== undefined && view.current_step !== filters.step) return false;
  if (filters.stuck === true && !view.stuck) return false;
  const request = view.request;
  if (filters.instance !== undefined) {
    if (
      request === null ||
      (request.instances.a !== filters.instance && request.instances.b !== filters.instance)
    )
      return false;
  }
  if (filters.company !== undefined) {
    const companies = request?.companies;
    if (
      companies === undefined ||
      ![companies.a, companies.b, companies.b_customer_in_a, companies.a_supplier_in_b].includes(
        filters.company,
      )
    )
      return false;
  }
  if (filters.reference !== undefined && request?.reference !== filters.reference) return false;
  const created = Date.parse(view.created_at);
  const from = filters.created_from === undefined ? undefined : parseDay(filters.created_from);
  if (from !== undefined && !(created >= from.getTime())) return false;
  const to = filters.created_to === undefined ? undefined : parseDay(filters.created_to);
  if (to !== undefined) {
    const end = new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1).getTime();
    if (!(created < end)) return false;
  }
  return true;
}

/** The list's order (created_at, then id, both descending): negative when `a` comes first. */
export function newestFirst(
  a: Pick<TransferView, 'transfer_id' | 'created_at'>,
  b: Pick<TransferView, 'transfer_id' | 'created_at'>,
): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  if (a.transfer_id === b.transfer_id) return 0;
  return a.transfer_id < b.transfer_id ? 1 : -1;
}
