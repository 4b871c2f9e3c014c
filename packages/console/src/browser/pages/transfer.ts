import type { ApiResult } from '../../api/client.js';
import { type LiveStream, openLive } from '../../api/live.js';
import type {
  JournalEntry,
  RequestSummary,
  SerialEntry,
  TransferEventsPage,
  TransferRequestAccepted,
  TransferSerialsPage,
  TransferView,
} from '../../api/types.js';
import { formatDateTime, formatDuration } from '../../core/dates.js';
import { isBehind } from '../../core/live-reread.js';
import { liveRereads } from '../../core/live-rereads.js';
import { maskedSerials } from '../../core/masking.js';
import { cancelPlan, retryPlan, type TimelineRow, timelineRows } from '../../core/transfer-view-model.js';
import { language, t } from '../../i18n/i18n.js';
import { instanceLinks, type Session } from '../session.js';
import { dateTime, errorMessage, loading, statusBadge, stepStatusBadge } from '../ui/common.js';
import { confirmDialog } from '../ui/confirm-dialog.js';
import { definitions, field, h, keepFocus, replace } from '../ui/dom.js';
import { liveIndicator } from '../ui/live-indicator.js';

/**
 * #/transfers/{id}: header, Retry / Cancel (with transfers:write), the last error, the four steps
 * with their documents (links to ERPNext), the request summary, the serials (or their mask) and
 * the events; live updates of this transfer.
 */

const EVENTS_PAGE = 100;
const SERIALS_PAGE = 200;

export function renderTransfer(main: HTMLElement, session: Session, id: string): () => void {
  const { client, permissions } = session;
  const controller = new AbortController();
  const signal = controller.signal;
  const path = `/v1/transfers/${encodeURIComponent(id)}`;
  const indicator = liveIndicator();
  const header = h(
    'section',
    { class: 'transfer-header', attrs: { 'aria-labelledby': 'transfer-title' } },
    loading(),
  );
  const lastError = h('div', {});
  const timeline = h('section', {
    class: 'timeline-section',
    attrs: { 'aria-labelledby': 'timeline-title' },
  });
  const request = h('section', { attrs: { 'aria-labelledby': 'request-title' } });
  const serials = h('section', { testid: 'serials-list', attrs: { 'aria-labelledby': 'serials-title' } });
  const events = h('section', { attrs: { 'aria-labelledby': 'events-title' } });
  let baseUrls: ReadonlyMap<string, string> | undefined;
  let linksFailed = false;
  let serialsShown = false;

  replace(
    main,
    h('p', { class: 'back' }, h('a', { attrs: { href: '#/transfers' } }, '← ', t('transfer.back'))),
    header,
    lastError,
    timeline,
    h('div', { class: 'two-columns' }, request, serials),
    events,
  );

  const eventsLog = eventsSection(events, async (afterSeq) =>
    client.request<TransferEventsPage>('tracker', `${path}/events`, {
      query: `after_seq=${afterSeq}&limit=${EVENTS_PAGE}`,
      signal,
    }),
  );

  let shown = '';
  const show = (view: TransferView) => {
    // A live re-read that changed nothing leaves the page (and the keyboard focus) alone.
    const text = JSON.stringify(view);
    if (text === shown) return;
    shown = text;
    const focused = keepFocus(main, () => document.getElementById('transfer-title'));
    replace(header, headerOf(view, indicator.element, permissions.writeTransfers ? actionsOf(view) : null));
    replace(
      lastError,
      view.last_error === null
        ? null
        : h(
            'section',
            { class: 'last-error', testid: 'last-error', attrs: { 'aria-labelledby': 'last-error-title' } },
            h(
              'h2',
              { attrs: { id: 'last-error-title' } },
              t('transfer.last_error', { step: t(`step.${view.last_error.step}`) }),
            ),
            errorDetails(view.last_error),
          ),
    );
    replace(
      timeline,
      h('h2', { attrs: { id: 'timeline-title' } }, t('transfer.timeline')),
      linksFailed && h('p', { class: 'message info' }, t('transfer.links_unavailable')),
      h('ol', { class: 'timeline' }, timelineRows(view, baseUrls).map(stepItem)),
    );
    replace(
      request,
      h('h2', { attrs: { id: 'request-title' } }, t('transfer.request')),
      requestSummary(view.request),
    );
    if (!serialsShown) {
      serialsShown = true;
      showSerials(view.request);
    }
    focused.restore();
  };

  const showSerials = (summary: RequestSummary | null) => {
    const title = h('h2', { attrs: { id: 'serials-title' } }, t('transfer.serials'));
    if (!permissions.readSerials) {
      // Never requested without the scope: the count comes from the request summary.
      replace(
        serials,
        title,
        h('p', { class: 'masked' }, maskedSerials(summary?.counts.serials ?? 0)),
        h('p', { class: 'hint' }, t('transfer.serials.masked_note')),
      );
      return;
    }
    replace(
      serials,
      title,
      serialsBrowser(async (cursor, search) => {
        const query = new URLSearchParams({ limit: String(SERIALS_PAGE) });
        if (cursor !== undefined) query.set('cursor', cursor);
        if (search !== '') query.set('q', search);
        return client.request<TransferSerialsPage>('tracker', `${path}/serials`, {
          query: query.toString(),
          signal,
        });
      }),
    );
  };

  let reloadsAsked = 0;
  let latestReload: Promise<TransferView | undefined> = Promise.resolve(undefined);
  /**
   * Re-reads the transfer (after an event or an action). Reads answered out of order: only the
   * last one asked is drawn, and an older one answers what the last one read.
   */
  const reload = (): Promise<TransferView | undefined> => {
    const asked = ++reloadsAsked;
    latestReload = readAndShow(asked);
    return latestReload;
  };
  const readAndShow = async (asked: number): Promise<TransferView | undefined> => {
    const view = await client.request<TransferView>('tracker', path, { signal });
    if (signal.aborted) return undefined;
    if (asked !== reloadsAsked) return latestReload;
    if (!view.ok) {
      replace(
        header,
        view.failure.status === 404
          ? errorMessage(t('transfer.not_found', { id }))
          : errorMessage(view.failure),
      );
      return undefined;
    }
    show(view.value);
    return view.value;
  };

  /** Retry and Cancel: each asks first, saying what will happen. */
  const actionsOf = (view: TransferView): HTMLElement | null => {
    const retry = retryPlan(view);
    const cancel = cancelPlan(view);
    if (retry === undefined && cancel === undefined) return null;
    const act = (action: 'retry' | 'cancel') => (reason: string) =>
      client.request<TransferRequestAccepted>('intake', `${path}/${action}`, {
        method: 'POST',
        body: reason === '' ? {} : { reason },
        signal,
      });
    const done = (accepted: TransferRequestAccepted) =>
      t('confirm.accepted', { generation: accepted.generation });
    const retryButton =
      retry !== undefined &&
      h(
        'button',
        { class: 'button primary', testid: 'retry-button', attrs: { type: 'button' } },
        t('transfer.retry'),
      );
    const cancelButton =
      cancel !== undefined &&
      h(
        'button',
        { class: 'button danger', testid: 'cancel-button', attrs: { type: 'button' } },
        t('transfer.cancel'),
      );
    if (retryButton !== false && retry !== undefined) {
      retryButton.addEventListener('click', () =>
        confirmDialog(retryButton, {
          title: t('confirm.retry.title'),
          body: [
            h(
              'p',
              {},
              retry.kind === 'retry'
                ? t('confirm.retry.step', { step: t(`step.${retry.step}`) })
                : t('confirm.retry.cancel_again'),
            ),
          ],
          run: act('retry'),
          done,
          onDone: () => void reload(),
          fallbackFocus: () => document.getElementById('transfer-title'),
        }),
      );
    }
    if (cancelButton !== false && cancel !== undefined) {
      cancelButton.addEventListener('click', () =>
        confirmDialog(cancelButton, {
          title: t('confirm.cancel.title'),
          body: [
            cancel.reclaimsSerials && h('p', {}, t('confirm.cancel.reclaim')),
            cancel.runningStep !== undefined &&
              h(
                'p',
                { testid: 'cancel-running-step' },
                t('confirm.cancel.running', { step: t(`step.${cancel.runningStep}`) }),
              ),
            cancel.documents.length === 0
              ? h('p', {}, t('confirm.cancel.no_documents'))
              : [
                  h('p', {}, t('confirm.cancel.documents')),
                  h(
                    'ol',
                    {},
                    cancel.documents.map((doc) =>
                      h(
                        'li',
                        {},
                        `${t(`doctype.${doc.doctype}`)} `,
                        h('span', { class: 'mono' }, doc.name),
                        doc.instance === undefined
                          ? ''
                          : ` (${t('transfer.instance_on', { instance: doc.instance })})`,
                      ),
                    ),
                  ),
                ],
            h('p', {}, t('confirm.cancel.serials')),
          ],
          run: act('cancel'),
          done,
          onDone: () => void reload(),
          fallbackFocus: () => document.getElementById('transfer-title'),
        }),
      );
    }
    return h(
      'div',
      { class: 'actions', attrs: { role: 'group', 'aria-label': t('transfer.actions') } },
      retryButton,
      cancelButton,
    );
  };

  /** The re-reads after an event (core/live-rereads.ts), of this transfer and its events. */
  const rereads = liveRereads<string>({
    ready: async () => (await firstRead) !== undefined,
    read: async (_id, eventTime) => {
      const view = await reload();
      await eventsLog.newer();
      return view !== undefined && isBehind(view.updated_at, eventTime);
    },
    signal,
  });
  // The live stream first, then the reads: nothing that changes in between is missed.
  const live: LiveStream = openLive(client, {
    transferId: id,
    onState: indicator.update,
    // Events come in bursts: one re-read for a burst.
    onEvent: (event) => rereads.afterEvent(id, event.time),
    // A reconnection that could not resume: read again what may have been missed (once; the
    // re-read an event scheduled is replaced by this one, never run beside it).
    onResync: () => rereads.readOnce(id),
  });
  const firstRead = (async (): Promise<TransferView | undefined> => {
    await live.opened;
    if (signal.aborted) return undefined;
    const links = await instanceLinks(client);
    if (signal.aborted) return undefined;
    if (links.ok) baseUrls = new Map(links.value.map((instance) => [instance.id, instance.base_url]));
    else linksFailed = true;
    const view = await reload();
    if (view === undefined) return undefined;
    await eventsLog.more();
    return view;
  })();

  return () => {
    controller.abort();
    rereads.stop();
    live.close();
  };
}

function headerOf(view: TransferView, indicator: HTMLElement, actions: HTMLElement | null): HTMLElement[] {
  const instances = view.request === null ? '—' : `${view.request.instances.a} → ${view.request.instances.b}`;
  return [
    h(
      'div',
      { class: 'page-title' },
      h(
        'h1',
        { attrs: { id: 'transfer-title', tabindex: '-1' } },
        t('transfer.title', { id: view.transfer_id }),
      ),
      statusBadge(view.status),
      view.stuck && h('span', { class: 'badge attention-badge stuck' }, t('badge.stuck')),
      indicator,
    ),
    definitions([
      [t('transfer.id'), h('span', { class: 'mono' }, view.transfer_id)],
      [t('transfer.status'), t(`status.${view.status}`)],
      [t('transfer.reference'), view.request?.reference ?? '—'],
      [t('transfer.instances'), instances],
      [t('transfer.created'), dateTime(view.created_at)],
      [t('transfer.updated'), dateTime(view.updated_at)],
      [t('transfer.generation'), String(view.generation)],
      [t('transfer.current_step'), view.current_step === null ? '—' : t(`step.${view.current_step}`)],
    ]),
    ...(actions === null ? [] : [actions]),
  ];
}

function errorDetails(
  error: NonNullable<TransferView['last_error']> | NonNullable<TimelineRow['error']>,
): HTMLElement {
  return h(
    'div',
    { class: 'error-details' },
    h(
      'p',
      {},
      t('transfer.error_kind', { kind: t(`error_kind.${error.kind}`) }),
      error.http_status !== undefined && ` · ${t('transfer.error_http', { status: error.http_status })}`,
      error.exc_type !== undefined && ' · ',
      error.exc_type !== undefined && h('code', {}, error.exc_type),
    ),
    error.messages.length > 0 && h('p', { class: 'label' }, t('transfer.erpnext_messages')),
    // ERPNext's words in full, as text (never interpreted as HTML).
    error.messages.map((message) => h('pre', { class: 'erpnext-message' }, message)),
  );
}

function stepItem(row: TimelineRow): HTMLElement {
  const titleId = `step-title-${row.step}`;
  return h(
    'li',
    {
      class: `step step-state-${row.status}${row.current ? ' current' : ''}${row.failed ? ' failed' : ''}`,
      testid: `step-${row.step}`,
      attrs: { 'aria-labelledby': titleId, 'aria-current': row.current ? 'step' : undefined },
    },
    h(
      'div',
      { class: 'step-head' },
      h('h3', { attrs: { id: titleId } }, t(`step.${row.step}`)),
      stepStatusBadge(row.status),
      row.instance !== undefined &&
        h('span', { class: 'muted' }, t('transfer.instance_on', { instance: row.instance })),
    ),
    definitions([
      [t('transfer.attempts'), String(row.attempts)],
      [t('transfer.started'), dateTime(row.startedAt)],
      [t('transfer.finished'), dateTime(row.finishedAt)],
      [t('transfer.duration'), formatDuration(row.durationMs)],
    ]),
    row.waiting !== null &&
      h(
        'p',
        { class: 'message attention' },
        t('transfer.waiting_until', {
          reason: waitingReason(row.waiting.reason),
          time: formatDateTime(row.waiting.nextAttemptAt, language()),
        }),
      ),
    h('p', { class: 'label' }, t('transfer.documents')),
    row.documents.length === 0
      ? h('p', { class: 'muted' }, t('transfer.no_documents'))
      : h(
          'ul',
          { class: 'documents' },
          row.documents.map((doc) =>
            h(
              'li',
              { class: doc.cancelled ? 'cancelled' : '' },
              `${t(`doctype.${doc.doctype}`)} `,
              doc.url === undefined
                ? h('span', { class: 'mono' }, doc.name)
                : h(
                    'a',
                    { class: 'mono', attrs: { href: doc.url, target: '_blank', rel: 'noopener noreferrer' } },
                    doc.name,
                  ),
              ' ',
              h(
                'span',
                { class: 'muted' },
                `(${t('transfer.document_chunk', { chunk: doc.chunk, count: doc.serialCount })})`,
              ),
              doc.cancelled && ' ',
              doc.cancelled && h('span', { class: 'badge step-cancelled' }, t('transfer.document_cancelled')),
            ),
          ),
        ),
    row.error !== null && errorDetails(row.error),
  );
}

function waitingReason(reason: string): string {
  switch (reason) {
    case 'breaker_open':
    case 'rate_limited':
    case 'maintenance':
    case 'unavailable':
      return t(`waiting.${reason}`);
    default:
      return reason;
  }
}

function requestSummary(summary: RequestSummary | null): HTMLElement {
  if (summary === null) return h('p', { class: 'muted' }, t('transfer.request.missing'));
  return definitions([
    [t('transfer.request.supplier'), summary.supplier],
    [t('transfer.request.company_a'), `${summary.companies.a} (${summary.instances.a})`],
    [t('transfer.request.company_b'), `${summary.companies.b ?? '—'} (${summary.instances.b})`],
    [t('transfer.request.customer_in_a'), summary.companies.b_customer_in_a],
    [t('transfer.request.supplier_in_b'), summary.companies.a_supplier_in_b],
    [t('transfer.request.warehouse_a'), summary.warehouses.a],
    [t('transfer.request.warehouse_b'), summary.warehouses.b],
    [t('transfer.request.items'), summary.counts.items.toLocaleString()],
    [t('transfer.request.serials'), summary.counts.serials.toLocaleString()],
    [t('transfer.reference'), summary.reference ?? '—'],
    [t('transfer.request.actor'), h('span', { class: 'mono' }, summary.actor)],
  ]);
}

/** How long the serial search waits after the last key before asking the tracker. */
const SEARCH_PAUSE_MS = 300;
const MAX_SEARCH = 140;

/**
 * The serials (with serials:read): page by page; the search asks the tracker (`q`: serials
 * containing the text, case-insensitive), so it covers every serial of the transfer, paged the
 * same way.
 */
function serialsBrowser(
  load: (cursor: string | undefined, search: string) => Promise<ApiResult<TransferSerialsPage>>,
): HTMLElement {
  const entries: SerialEntry[] = [];
  let total = 0;
  let next: string | null | undefined;
  /** The search the entries are for (a newer one drops the answers of an older one). */
  let searched = '';
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  const search = h('input', {
    attrs: { type: 'search', name: 'serial-search', autocomplete: 'off', maxlength: String(MAX_SEARCH) },
  });
  const status = h('p', { class: 'hint', testid: 'serials-status', attrs: { 'aria-live': 'polite' } });
  const body = h('tbody', {});
  const more = h('button', { class: 'button', attrs: { type: 'button' } }, t('transfer.serials.more'));
  const outcome = h('div', {});
  const draw = () => {
    replace(
      body,
      entries.map((entry) =>
        h('tr', {}, h('td', {}, entry.item_code), h('td', { class: 'mono' }, entry.serial)),
      ),
    );
    replace(
      status,
      searched === ''
        ? t('transfer.serials.loaded', { loaded: entries.length, total })
        : t('transfer.serials.matches_loaded', { loaded: entries.length, total }),
    );
    more.hidden = next === null;
  };
  const loadMore = async () => {
    const asked = searched;
    more.disabled = true;
    const page = await load(next ?? undefined, asked);
    if (asked !== searched) return;
    more.disabled = false;
    if (!page.ok) {
      replace(outcome, errorMessage(page.failure));
      return;
    }
    replace(outcome);
    entries.push(...page.value.serials);
    total = page.value.total;
    next = page.value.next_cursor;
    draw();
  };
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      const text = search.value.trim().slice(0, MAX_SEARCH);
      if (text === searched) return;
      searched = text;
      entries.length = 0;
      total = 0;
      next = undefined;
      void loadMore();
    }, SEARCH_PAUSE_MS);
  });
  more.addEventListener('click', () => void loadMore());
  void loadMore();
  return h(
    'div',
    { class: 'serials' },
    field(t('transfer.serials.search'), search),
    status,
    h(
      'div',
      { class: 'table-wrap short' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { attrs: { scope: 'col' } }, t('transfer.serials.col.item')),
            h('th', { attrs: { scope: 'col' } }, t('transfer.serials.col.serial')),
          ),
        ),
        body,
      ),
    ),
    more,
    outcome,
  );
}

/** The events table: the first page, "load more", and newer events after a live message. */
function eventsSection(
  section: HTMLElement,
  load: (afterSeq: number) => Promise<ApiResult<TransferEventsPage>>,
): { more: () => Promise<void>; newer: () => Promise<void> } {
  const body = h('tbody', {});
  const outcome = h('div', {});
  const moreButton = h('button', { class: 'button', attrs: { type: 'button' } }, t('transfer.events.more'));
  let lastSeq = 0;
  let complete = false;
  let busy = false;
  const th = (label: string) => h('th', { attrs: { scope: 'col' } }, label);
  replace(
    section,
    h('h2', { attrs: { id: 'events-title' } }, t('transfer.events')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'events' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            th(t('transfer.events.col.seq')),
            th(t('transfer.events.col.time')),
            th(t('transfer.events.col.type')),
            th(t('transfer.events.col.generation')),
            th(t('transfer.events.col.actor')),
            th(t('transfer.events.col.change')),
          ),
        ),
        body,
      ),
    ),
    moreButton,
    outcome,
  );
  const row = (entry: JournalEntry) =>
    h(
      'tr',
      { class: entry.change === 'applied' ? '' : 'muted' },
      h('td', {}, String(entry.seq)),
      h('td', {}, dateTime(entry.time)),
      h('td', { class: 'mono' }, entry.type),
      h('td', {}, String(entry.generation)),
      h('td', { class: 'mono' }, entry.actor),
      h('td', {}, t(`change.${entry.change}`), entry.reason === undefined ? '' : `: ${entry.reason}`),
    );
  const fetchPage = async () => {
    if (busy) return;
    busy = true;
    const page = await load(lastSeq);
    busy = false;
    if (!page.ok) {
      replace(outcome, errorMessage(page.failure));
      return;
    }
    replace(
      outcome,
      lastSeq === 0 && page.value.events.length === 0
        ? h('p', { class: 'muted' }, t('transfer.events.none'))
        : null,
    );
    for (const entry of page.value.events) body.appendChild(row(entry));
    const last = page.value.events[page.value.events.length - 1];
    if (last !== undefined) lastSeq = last.seq;
    complete = page.value.next_after_seq === null;
    moreButton.hidden = complete;
  };
  moreButton.addEventListener('click', () => void fetchPage());
  return {
    more: fetchPage,
    // Newer events are read only once every older page is shown (else "load more" brings them).
    newer: async () => {
      if (complete) await fetchPage();
    },
  };
}
