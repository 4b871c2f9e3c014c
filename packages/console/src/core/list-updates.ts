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
 */

/** The event that says a transfer was created (docs/events.md). */
export const CREATED_EVENT = 'transfer.requested';

/** The shown page: its rows (the tracker's order, newest first) and where it is. */
export interface ShownPage {
  readonly rows: readonly Pick<TransferView, 'transfer_id' | 'created_at'>[];
  readonly firstPage: boolean;
  readonly pageSize: number;
  /**
   * The transfers created since the page was read: those whose `transfer.requested` event came
   * after the live stream opened (it is opened before the page is read). No clock is compared:
   * the browser's and the tracker's may differ.
   */
  readonly createdSinceRead: ReadonlySet<string>;
  /** The transfers already counted in "N new transfers" (each is counted once). */
  readonly counted: ReadonlySet<string>;
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
  const oldest = page.rows[page.rows.length - 1];
  if (page.firstPage) {
    // The first page holds the newest transfers: this one is on it unless the page is full and
    // it is older than its last row (then it is on a later page, where it stays).
    if (oldest === undefined || page.rows.length < page.pageSize) return { kind: 'reload_first_page' };
    return newestFirst(view, oldest) < 0 ? { kind: 'reload_first_page' } : { kind: 'ignore' };
  }
  // A later page: only a transfer created since it was read is news (the first page has it), once.
  if (page.createdSinceRead.has(view.transfer_id) && !page.counted.has(view.transfer_id))
    return { kind: 'count_new' };
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
