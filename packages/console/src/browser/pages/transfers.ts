import { type LiveStream, openLive } from '../../api/live.js';
import {
  type InstanceLink,
  type LiveEventData,
  STEPS,
  TRANSFER_STATUSES,
  type TransferCounts,
  type TransferList,
  type TransferView,
} from '../../api/types.js';
import {
  filtersFromParams,
  isFiltered,
  serialFromParams,
  type TransferFilters,
  transfersHash,
  transfersQuery,
} from '../../core/filters.js';
import { isBehind, REREAD_DELAYS_MS } from '../../core/live-reread.js';
import { transferHash } from '../../core/route.js';
import { attentionOf } from '../../core/transfer-view-model.js';
import { language, t } from '../../i18n/i18n.js';
import { type Session, setSerialFilter } from '../session.js';
import { dateTime, errorMessage, loading, statusBadge } from '../ui/common.js';
import { field, h, keepFocus, replace } from '../ui/dom.js';
import { liveIndicator } from '../ui/live-indicator.js';

/**
 * #/transfers: counts by status (each a filter link), filters (in the hash), the list newest
 * first with cursor paging, waiting and stuck rows highlighted, live updates.
 */

const PAGE_SIZE = 50;
const COUNTS_DELAY_MS = 1000;

export function renderTransfers(main: HTMLElement, session: Session, filters: TransferFilters): () => void {
  const { client } = session;
  const controller = new AbortController();
  const signal = controller.signal;
  const countsRegion = h('nav', {
    class: 'status-counts',
    testid: 'status-counts',
    attrs: { 'aria-label': t('transfers.counts_label') },
  });
  const newBanner = h('div', { class: 'new-banner', attrs: { 'aria-live': 'polite' } });
  const listRegion = h('div', { class: 'list-region' }, loading());
  const indicator = liveIndicator();
  const instanceOptions = h('datalist', { attrs: { id: 'instance-options' } });
  const rows = new Map<string, HTMLTableRowElement>();
  const unseen = new Set<string>();
  let tbody: HTMLTableSectionElement | undefined;
  let countsTimer: ReturnType<typeof setTimeout> | undefined;
  let live: LiveStream | undefined;
  const pendingReads = new Map<string, ReturnType<typeof setTimeout>>();

  replace(
    main,
    h('div', { class: 'page-title' }, h('h1', {}, t('transfers.title')), indicator.element),
    countsRegion,
    filterForm(filters, instanceOptions, session.permissions.readSerials),
    newBanner,
    listRegion,
  );

  const loadCounts = async () => {
    const counts = await client.request<TransferCounts>('tracker', '/v1/transfers/counts', { signal });
    if (signal.aborted) return;
    if (counts.ok) replace(countsRegion, countLinks(counts.value, filters));
    else replace(countsRegion, errorMessage(counts.failure));
  };

  const loadList = async () => {
    const list = await client.request<TransferList>('tracker', '/v1/transfers', {
      query: transfersQuery(filters, PAGE_SIZE),
      signal,
    });
    if (signal.aborted) return;
    if (!list.ok) {
      replace(listRegion, errorMessage(list.failure));
      return;
    }
    tbody = h('tbody', {});
    for (const view of list.value.transfers) {
      const row = transferRow(view);
      rows.set(view.transfer_id, row);
      tbody.appendChild(row);
    }
    replace(
      listRegion,
      list.value.transfers.length === 0
        ? h('p', { class: 'empty' }, isFiltered(filters) ? t('transfers.empty') : t('transfers.empty_all'))
        : transfersTable(tbody),
      pager(filters, list.value.next_cursor),
    );
  };

  /** A transfer changed: its row is re-read; one this view does not show is counted above it. */
  const onEvent = (event: LiveEventData) => {
    clearTimeout(countsTimer);
    countsTimer = setTimeout(() => void loadCounts(), COUNTS_DELAY_MS);
    const id = event.transfer_id;
    const onFirstUnfilteredPage = !isFiltered(filters) && filters.cursor === undefined;
    if (!rows.has(id) && !onFirstUnfilteredPage) {
      unseen.add(id);
      showUnseen();
      return;
    }
    // One re-read for a burst of events of the same transfer.
    clearTimeout(pendingReads.get(id));
    pendingReads.set(
      id,
      setTimeout(() => void reread(id, event.time, 0), REREAD_DELAYS_MS[0]),
    );
  };

  /**
   * Re-reads a row. The live stream can be ahead of the tracker's read model (404 for a new
   * transfer, or a view older than the event): then it is read again a little later.
   */
  const reread = async (id: string, eventTime: string, attempt: number) => {
    pendingReads.delete(id);
    const view = await client.request<TransferView>('tracker', `/v1/transfers/${encodeURIComponent(id)}`, {
      signal,
    });
    if (signal.aborted) return;
    const behind = view.ok ? isBehind(view.value.updated_at, eventTime) : view.failure.status === 404;
    const next = REREAD_DELAYS_MS[attempt + 1];
    if (behind && next !== undefined && !pendingReads.has(id)) {
      pendingReads.set(
        id,
        setTimeout(() => void reread(id, eventTime, attempt + 1), next),
      );
    }
    if (!view.ok) return;
    const fresh = transferRow(view.value);
    const current = rows.get(id);
    rows.set(id, fresh);
    if (current !== undefined) {
      const focused = keepFocus(current);
      current.replaceWith(fresh);
      focused.restore();
    } else if (tbody?.isConnected === true) tbody.prepend(fresh);
    // No table yet (the list was empty, "no transfers"): the list is read again, with the table.
    else void loadList();
  };

  const showUnseen = () => {
    replace(
      newBanner,
      h(
        'p',
        { class: 'message info' },
        t('transfers.new', { count: unseen.size }),
        ' ',
        h(
          'button',
          {
            class: 'button small',
            attrs: { type: 'button' },
            on: {
              click: () => {
                unseen.clear();
                replace(newBanner);
                void loadList();
              },
            },
          },
          t('transfers.new_show'),
        ),
      ),
    );
  };

  // The registered instances, as suggestions for the instance filter (none if intake is out of reach).
  void client.request<{ instances: InstanceLink[] }>('intake', '/v1/instances', { signal }).then((answer) => {
    if (!answer.ok) return;
    replace(
      instanceOptions,
      answer.value.instances.map((instance) => h('option', { attrs: { value: instance.id } }, instance.name)),
    );
  });

  void Promise.all([loadCounts(), loadList()]).then(() => {
    if (signal.aborted) return;
    live = openLive(client, { onEvent, onState: indicator.update });
  });

  return () => {
    controller.abort();
    clearTimeout(countsTimer);
    for (const timer of pendingReads.values()) clearTimeout(timer);
    live?.close();
  };
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
