import type { ApiFailure } from '../../api/client.js';
import type { StepStatus, TransferStatus } from '../../api/types.js';
import { formatDateTime } from '../../core/dates.js';
import { language, t } from '../../i18n/i18n.js';
import { h } from './dom.js';

/** Pieces several pages share. */

/** An API failure in words: its message and every problem with its path (role=alert). */
export function errorMessage(failure: ApiFailure | string): HTMLElement {
  if (typeof failure === 'string') {
    return h('div', { class: 'message error', testid: 'error-message', attrs: { role: 'alert' } }, failure);
  }
  const text =
    failure.status === 0
      ? t('error.network', { detail: failure.message })
      : t('error.http', { status: failure.status, message: failure.message });
  return h(
    'div',
    { class: 'message error', testid: 'error-message', attrs: { role: 'alert' } },
    h('p', {}, text),
    failure.problems.length > 0 && h('p', {}, t('error.problems')),
    failure.problems.length > 0 &&
      h(
        'ul',
        {},
        failure.problems.map((problem) =>
          h('li', {}, h('code', {}, problem.path || '/'), ': ', problem.message),
        ),
      ),
  );
}

/** A status as a text badge (the class gives its colour; the text says it: never colour alone). */
export function statusBadge(status: TransferStatus): HTMLElement {
  return h('span', { class: `badge status-${status}` }, t(`status.${status}`));
}

export function stepStatusBadge(status: StepStatus): HTMLElement {
  return h('span', { class: `badge step-${status}` }, t(`step_status.${status}`));
}

/** A date in the browser's zone, in a `<time>` element carrying the instant. */
export function dateTime(iso: string | null | undefined): HTMLElement | string {
  if (iso === null || iso === undefined) return '—';
  return h('time', { attrs: { datetime: iso } }, formatDateTime(iso, language()));
}

export function loading(): HTMLElement {
  return h('p', { class: 'loading', attrs: { role: 'status' } }, t('app.loading'));
}
