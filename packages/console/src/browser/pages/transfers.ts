import type { ApiFailure } from '../../api/client.js';
import { type LiveDelivery, type LiveStream, openLive } from '../../api/live.js';
import {
  type LiveEventData,
  STEPS,
  TRANSFER_STATUSES,
  type TransferCounts,
  type TransferList,
  type TransferView,
} from '../../api/types.js';
import { BoundedSet } from '../../core/bounded-set.js';
import { staleCountsSeconds } from '../../core/counts-age.js';
import { formatDateTime } from '../../core/dates.js';
import {
  countsQuery,
  filtersFromParams,
  isFiltered,
  serialFromParams,
  type TransferFilters,
  transfersHash,
  transfersQuery,
} from '../../core/filters.js';
import { isCreatedSinceRead, listChange } from '../../core/list-updates.js';
import { isBehind } from '../../core/live-reread.js';
import { liveRereads } from '../../core/live-rereads.js';
import { transferHash } from '../../core/route.js';
import { throttle } from '../../core/throttle.js';
import { attentionOf } from '../../core/transfer-view-model.js';
import { language, t } from '../../i18n/i18n.js';
import { instanceLinks, type Session, setSerialFilter } from '../session.js';
import { dateTime, errorMessage, loading, statusBadge } from '../ui/common.js';
import { field, h, keepFocus, replace } from '../ui/dom.js';
import { liveIndicator } from '../ui/live-indicator.js';

/**
 * #/transfers: counts by status (each a filter link, with the list's other filters), filters (in
 * the hash), the list newest first with cursor paging, waiting and stuck rows highlighted, live
 * updates without gaps and without rows jumping (docs/console.md, "Second pass"):
 * - the live stream is opened first; the counts and the page are read once it is open, and every
 *   event from then on is applied (its transfer re-read: core/live-reread.ts);
 * - a changed transfer on the page is updated in place; a new one re-reads the first page when
 *   it is shown (at most once per 2 s), else "N new transfers" links to it (core/list-updates.ts);
 * - every 30 s and when the tab is visible again, the counts and the shown page (same cursor) are
 *   read again (a transfer that became stuck sends no event); counts asked after events are
 *   throttled (one per 5 s, the last always sent: core/throttle.ts).
 */

const PAGE_SIZE = 50;
/** The counts after live events: at most one request per this. */
const COUNTS_THROTTLE_MS = 5000;
/** The first page re-read for new transfers: at most once per this. */
const FIRST_PAGE_THROTTLE_MS = 2000;
/** The counts and the shown page, read again without events. */
const REFRESH_MS = 30_000;
/** Most transfers a later page remembers as created since its read and not counted yet. */
const CREATED_SINCE_READ_AT_MOST = 10_000;

export function renderTransfers(main: HTMLElement, session: Session, filters: TransferFilters): () => void {
  const { client } = session;
  const controller = new AbortController();
  const signal = controller.signal;
  const countsBar = h('div', { class: 'counts-bar' });
  const countsNote = h('p', {
    class: 'counts-note',
    testid: 'counts-note',
    attrs: { 'aria-live': 'polite' },
  });
  const countsRegion = h(
    'nav',
    {
      class: 'status-counts',
      testid: 'status-counts',
      attrs: { 'aria-label': t('transfers.counts_label') },
    },
    countsBar,
    countsNote,
  );
  const newBanner = h('div', { class: 'new-banner', attrs: { 'aria-live': 'polite' } });
  const listRegion = h('div', { class: 'list-region' }, loading());
  const indicator = liveIndicator();
  const instanceOptions = h('datalist', { attrs: { id: 'instance-options' } });
  /** The rows shown, in the tracker's order, with the view each was drawn from. */
  let shown: { view: TransferView; row: HTMLTableRowElement; text: string }[] = [];
  /** How many transfers "N new transfers" counts (a later page). */
  let unseen = 0;
  /**
   * The transfers created since a later page was read and not counted yet: their
   * transfer.requested came on the stream, not as a replay of an event older than its open. An
   * id leaves once counted; the oldest leave first beyond 10,000 (a page open for days).
   */
  const createdSinceRead = new BoundedSet<string>(CREATED_SINCE_READ_AT_MOST);
  let tbody: HTMLTableSectionElement | undefined;
  const firstPage = filters.cursor === undefined;

  replace(
    main,
    h('div', { class: 'page-title' }, h('h1', {}, t('transfers.title')), indicator.element),
    countsRegion,
    filterForm(filters, instanceOptions, session.permissions.readSerials),
    newBanner,
    listRegion,
  );

  /** Reads answered out of order: only the last one asked is drawn. */
  let countsAsked = 0;
  let listAsked = 0;

  const loadCounts = async () => {
    const asked = ++countsAsked;
    const counts = await client.request<TransferCounts>('tracker', '/v1/transfers/counts', {
      query: countsQuery(filters),
      signal,
    });
    if (signal.aborted || asked !== countsAsked) return;
    if (counts.ok) {
      replace(countsBar, countLinks(counts.value, filters));
      const age = staleCountsSeconds(counts.value.as_of, new Date());
      replace(
        countsNote,
        age === undefined
          ? null
          : t('transfers.counts_as_of', {
              time: formatDateTime(counts.value.as_of, language()),
              seconds: age,
            }),
      );
      return;
    }
    // The counts never block the list: the last bar stays, a note says why it is not current.
    if (counts.failure.status === 503 && counts.failure.code === 'counts_unavailable') {
      replace(
        countsNote,
        h(
          'span',
          { class: 'counts-unavailable', attrs: { title: counts.failure.message } },
          t('transfers.counts_unavailable'),
        ),
      );
    } else
      replace(
        countsNote,
        h(
          'span',
          { class: 'counts-unavailable' },
          t('transfers.counts_failed', { detail: failureText(counts.failure) }),
        ),
      );
  };

  const drawRows = (views: readonly TransferView[]) => {
    const previous = new Map(shown.map((entry) => [entry.view.transfer_id, entry]));
    const focused = tbody === undefined ? { restore: () => undefined } : keepFocus(tbody);
    shown = views.map((view) => {
      const text = JSON.stringify(view);
      const before = previous.get(view.transfer_id);
      if (before === undefined) return { view, row: transferRow(view), text };
      // The same, or older than the row (a page read that crossed a live re-read): the row stays.
      const older = Date.parse(view.updated_at) < Date.parse(before.view.updated_at);
      return before.text === text || older ? before : { view, row: transferRow(view), text };
    });
    if (tbody !== undefined)
      replace(
        tbody,
        shown.map((entry) => entry.row),
      );
    focused.restore();
  };

  /** Reads the shown page (the same cursor) and draws it; the rows that did not change stay as they are. */
  const loadList = async () => {
    const asked = ++listAsked;
    const list = await client.request<TransferList>('tracker', '/v1/transfers', {
      query: transfersQuery(filters, PAGE_SIZE),
      signal,
    });
    if (signal.aborted || asked !== listAsked) return;
    if (!list.ok) {
      shown = [];
      tbody = undefined;
      replace(
        listRegion,
        list.failure.status === 403 ? errorMessage(t('transfers.forbidden')) : errorMessage(list.failure),
      );
      return;
    }
    const views = list.value.transfers.slice(0, PAGE_SIZE);
    if (firstPage) {
      // The first page shows every new transfer there is.
      unseen = 0;
      replace(newBanner);
    }
    if (views.length === 0) {
      shown = [];
      tbody = undefined;
      replace(
        listRegion,
        h('p', { class: 'empty' }, isFiltered(filters) ? t('transfers.empty') : t('transfers.empty_all')),
        pager(filters, list.value.next_cursor),
      );
      return;
    }
    if (tbody?.isConnected !== true) {
      tbody = h('tbody', {});
      shown = [];
      drawRows(views);
      replace(listRegion, transfersTable(tbody), pager(filters, list.value.next_cursor));
      return;
    }
    drawRows(views);
    const oldPager = listRegion.querySelector('nav.pager');
    const newPager = pager(filters, list.value.next_cursor);
    if (oldPager !== null && newPager !== null) oldPager.replaceWith(newPager);
    else if (oldPager !== null) oldPager.remove();
    else if (newPager !== null) listRegion.appendChild(newPager);
  };

  /** Every counts request goes through this: at most one per 5 s, the last ask always sent. */
  const counts = throttle(() => void loadCounts(), COUNTS_THROTTLE_MS);
  const firstPageAgain = throttle(() => void loadList(), FIRST_PAGE_THROTTLE_MS);
  /** The counts and the shown page, read again (the periodic refresh, a visible tab, a resync). */
  const refresh = () => {
    counts.ask();
    void loadList();
  };

  /** A transfer changed: it is re-read (one read for a burst), then placed by core/list-updates.ts. */
  const onEvent = (event: LiveEventData, delivery: LiveDelivery) => {
    counts.ask();
    const id = event.transfer_id;
    // The stream is opened before the page is read: a transfer it says was created is newer than
    // the page, unless the event is older than the stream's open (a replay the read may show).
    if (isCreatedSinceRead(event, delivery.replayed, firstPage)) createdSinceRead.add(id);
    rereads.afterEvent(id, event.time);
  };

  /**
   * Re-reads a transfer. The live stream can be ahead of the tracker's read model (404 for a new
   * transfer, or a view older than the event): then it is read again a little later.
   */
  const reread = async (id: string, eventTime: string): Promise<boolean> => {
    const view = await client.request<TransferView>('tracker', `/v1/transfers/${encodeURIComponent(id)}`, {
      signal,
    });
    if (signal.aborted) return false;
    const behind = view.ok ? isBehind(view.value.updated_at, eventTime) : view.failure.status === 404;
    if (view.ok) place(id, view.value);
    return behind;
  };

  /** Places a transfer read again in the list (core/list-updates.ts). */
  const place = (id: string, view: TransferView) => {
    const page = {
      rows: shown.map((entry) => entry.view),
      firstPage,
      pageSize: PAGE_SIZE,
      createdSinceRead,
    };
    const change = listChange(view, page, filters);
    switch (change.kind) {
      case 'update': {
        const index = shown.findIndex((entry) => entry.view.transfer_id === id);
        const current = shown[index];
        const text = JSON.stringify(view);
        if (current === undefined || current.text === text) return;
        // An older answer never replaces a newer one.
        if (Date.parse(view.updated_at) < Date.parse(current.view.updated_at)) return;
        const fresh = { view: view, row: transferRow(view), text };
        shown[index] = fresh;
        const focused = keepFocus(current.row);
        current.row.replaceWith(fresh.row);
        focused.restore();
        return;
      }
      case 'reload_first_page':
        firstPageAgain.ask();
        return;
      case 'count_new':
        // Counted once: its later events change nothing.
        createdSinceRead.delete(id);
        unseen++;
        showUnseen();
        return;
      case 'ignore':
        return;
    }
  };

  /** Re-reads after live events, one chain per transfer (core/live-rereads.ts). */
  const rereads = liveRereads<string>({
    ready: async () => {
      await initialRead;
      return true;
    },
    read: reread,
    signal,
  });

  const showUnseen = () => {
    const { cursor: _cursor, ...first } = filters;
    replace(
      newBanner,
      h(
        'p',
        { class: 'message info' },
        h(
          'a',
          { testid: 'new-transfers', attrs: { href: transfersHash(first) } },
          t('transfers.new', { count: unseen }),
        ),
      ),
    );
  };

  // The registered instances, as suggestions for the instance filter (none if intake is out of reach).
  void instanceLinks(client).then((answer) => {
    if (!answer.ok || signal.aborted) return;
    replace(
      instanceOptions,
      answer.value.map((instance) => h('option', { attrs: { value: instance.id } }, instance.name)),
    );
  });

  // The live stream first, then the reads: nothing that changes in between is missed.
  const live: LiveStream = openLive(client, { onEvent, onState: indicator.update, onResync: refresh });
  // Live rows wait for the list only: the counts (up to 10 s, or a 503) are read beside it, and
  // that first request starts the throttle's interval.
  const initialRead = live.opened.then(async () => {
    if (signal.aborted) return;
    counts.ask();
    await loadList();
  });
  // A hidden tab is not refreshed (the browser slows its timers anyway): it is when shown again.
  const every = setInterval(() => {
    if (document.visibilityState !== 'hidden') refresh();
  }, REFRESH_MS);
  const onVisibility = () => {
    if (document.visibilityState === 'visible') refresh();
  };
  document.addEventListener('visibilitychange', onVisibility);

  return () => {
    controller.abort();
    counts.cancel();
    firstPageAgain.cancel();
    clearInterval(every);
    document.removeEventListener('visibilitychange', onVisibility);
    rereads.stop();
    live.close();
  };
}

/** A failure in a few words (the counts' note). */
function failureText(failure: ApiFailure): string {
  return failure.status === 0 ? failure.message : `${failure.status}: ${failure.message}`;
}

function countLinks(counts: TransferCounts, filters: TransferFilters): HTMLElement {
  const { cursor: _cursor, status: _status, stuck: _stuck, ...others } = filters;
  const link = (label: string, count: number, target: TransferFilters, current: boolean, extra = '') =>
    h(
      'li',
      {},
      h(
        'a',
        {
          class: `count-link${extra}`,
          attrs: { href: transfersHash(target), 'aria-current': current ? 'true' : undefined },
        },
        h('span', { class: 'count-label' }, label),
        ' ',
        h('span', { class: 'count-value' }, count.toLocaleString(language())),
      ),
    );
  return h(
    'ul',
    {},
    link(t('transfers.all'), counts.total, others, filters.status === undefined && filters.stuck !== true),
    TRANSFER_STATUSES.map((status) =>
      link(
        t(`status.${status}`),
        counts.by_status[status] ?? 0,
        { ...others, status },
        filters.status === status,
        status === 'waiting' ? ' attention-waiting' : '',
      ),
    ),
    link(
      t('transfers.stuck'),
      counts.stuck,
      { ...others, stuck: true },
      filters.stuck === true,
      ' attention-stuck',
    ),
  );
}

/** The filters form; `instanceOptions` is a datalist of the registered instances (filled later). */
function filterForm(
  filters: TransferFilters,
  instanceOptions: HTMLDataListElement,
  canSearchSerials: boolean,
): HTMLElement {
  const select = (
    name: string,
    values: readonly string[],
    label: (value: string) => string,
    value?: string,
  ) =>
    h(
      'select',
      { attrs: { name } },
      h('option', { attrs: { value: '' } }, t('transfers.filter.any')),
      values.map((option) =>
        h('option', { attrs: { value: option, selected: option === value } }, label(option)),
      ),
    );
  const text = (name: string, value: string | undefined, type = 'text') =>
    h('input', { attrs: { name, type, value: value ?? '', autocomplete: 'off' } });
  const clear = h('a', { class: 'button', attrs: { href: '#/transfers' } }, t('transfers.filter.clear'));
  const stuck = h('input', {
    attrs: { name: 'stuck', type: 'checkbox', value: 'true', checked: filters.stuck === true },
  });
  const form = h(
    'form',
    { class: 'filters', attrs: { 'aria-label': t('transfers.filters') } },
    field(
      t('transfers.filter.status'),
      select(
        'status',
        TRANSFER_STATUSES,
        (status) => t(`status.${status as (typeof TRANSFER_STATUSES)[number]}`),
        filters.status,
      ),
    ),
    field(
      t('transfers.filter.step'),
      select('step', STEPS, (step) => t(`step.${step as (typeof STEPS)[number]}`), filters.step),
    ),
    field(
      t('transfers.filter.instance'),
      h('input', {
        attrs: {
          name: 'instance',
          type: 'text',
          value: filters.instance ?? '',
          autocomplete: 'off',
          list: instanceOptions.id,
        },
      }),
    ),
    instanceOptions,
    field(t('transfers.filter.company'), text('company', filters.company)),
    field(t('transfers.filter.created_from'), text('created_from', filters.created_from, 'date')),
    field(t('transfers.filter.created_to'), text('created_to', filters.created_to, 'date')),
    field(t('transfers.filter.reference'), text('reference', filters.reference)),
    // Only with serials:read (the tracker refuses the filter without it); kept out of the URL.
    canSearchSerials ? field(t('transfers.filter.serial'), text('serial', filters.serial)) : [],
    h('div', { class: 'field checkbox' }, h('label', {}, stuck, ' ', t('transfers.filter.stuck'))),
    h(
      'div',
      { class: 'buttons' },
      h('button', { class: 'button primary', attrs: { type: 'submit' } }, t('transfers.filter.apply')),
      clear,
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (typeof value === 'string') params.set(name, value);
    // A new filter starts at the first page. The serial stays in memory, never in the hash.
    setSerialFilter(canSearchSerials ? serialFromParams(params) : undefined);
    rerouteTo(transfersHash(filtersFromParams(params)));
  });
  // "Clear" clears the serial too, also when the hash is already the plain list's.
  clear.addEventListener('click', (event) => {
    event.preventDefault();
    setSerialFilter(undefined);
    rerouteTo('#/transfers');
  });
  return form;
}

/** Goes to `hash`; when it is the current one (only the in-memory serial changed), renders again. */
function rerouteTo(hash: string): void {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

function transfersTable(tbody: HTMLTableSectionElement): HTMLElement {
  const th = (label: string) => h('th', { attrs: { scope: 'col' } }, label);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'transfers', testid: 'transfers-table' },
      h('caption', { class: 'visually-hidden' }, t('transfers.table_caption')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          th(t('transfers.col.id')),
          th(t('transfers.col.status')),
          th(t('transfers.col.step')),
          th(t('transfers.col.reference')),
          th(t('transfers.col.instances')),
          th(t('transfers.col.created')),
          th(t('transfers.col.updated')),
        ),
      ),
      tbody,
    ),
  );
}

function transferRow(view: TransferView): HTMLTableRowElement {
  const attention = attentionOf(view);
  const step = view.failed_step ?? view.current_step;
  return h(
    'tr',
    {
      class: attention === undefined ? '' : `attention-${attention}`,
      testid: 'transfer-row',
      attrs: { 'data-transfer-id': view.transfer_id },
    },
    h('td', {}, h('a', { class: 'mono', attrs: { href: transferHash(view.transfer_id) } }, view.transfer_id)),
    h(
      'td',
      {},
      statusBadge(view.status),
      view.stuck && ' ',
      view.stuck && h('span', { class: 'badge attention-badge stuck' }, t('badge.stuck')),
    ),
    h('td', {}, step === null ? '—' : t(`step.${step}`)),
    h('td', {}, view.request?.reference ?? '—'),
    h('td', {}, view.request === null ? '—' : `${view.request.instances.a} → ${view.request.instances.b}`),
    h('td', {}, dateTime(view.created_at)),
    h('td', {}, dateTime(view.updated_at)),
  );
}

function pager(filters: TransferFilters, next: string | null): HTMLElement | null {
  if (filters.cursor === undefined && next === null) return null;
  const { cursor: _cursor, ...first } = filters;
  return h(
    'nav',
    { class: 'pager', attrs: { 'aria-label': t('transfers.page_label') } },
    filters.cursor !== undefined &&
      h('a', { class: 'button', attrs: { href: transfersHash(first) } }, t('transfers.first_page')),
    next !== null &&
      h(
        'a',
        { class: 'button', attrs: { href: transfersHash({ ...first, cursor: next }) } },
        t('transfers.next_page'),
      ),
  );
}
