import type { ApiResult } from '../../api/client.js';
import { t } from '../../i18n/i18n.js';
import { errorMessage } from './common.js';
import { type Children, field, h, replace, uid } from './dom.js';

/**
 * A confirmation in a modal `<dialog>`: what will happen, an optional reason, Confirm / No. The
 * focus stays inside (Tab and Shift+Tab wrap), Escape closes it, and the focus goes back to
 * the button that opened it. After Confirm it shows the API's answer or error.
 */
export interface ConfirmOptions<T> {
  readonly title: string;
  readonly body: Children;
  /** Whether to ask for a reason (kept in the transfer's history); default true. */
  readonly askReason?: boolean;
  /** Runs the action; the reason typed ('' for none). */
  readonly run: (reason: string) => Promise<ApiResult<T>>;
  /** The words for a success. */
  readonly done: (value: T) => string;
  /** Where the focus goes back when the opener is gone (the page was re-rendered). */
  readonly fallbackFocus?: () => HTMLElement | null;
  /** After a success, once the dialog is closed. */
  readonly onDone?: () => void;
}

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), textarea:not([disabled]), select:not([disabled])';

export function confirmDialog<T>(opener: HTMLElement, options: ConfirmOptions<T>): void {
  const titleId = uid('dialog-title');
  const reason = h('textarea', { attrs: { rows: '2', maxlength: '1000' } });
  const outcome = h('div', { class: 'dialog-outcome', attrs: { 'aria-live': 'polite' } });
  const confirm = h('button', { class: 'button danger', attrs: { type: 'button' } }, t('confirm.go'));
  const keep = h('button', { class: 'button', attrs: { type: 'button' } }, t('confirm.keep'));
  const dialog = h(
    'dialog',
    {
      class: 'dialog',
      testid: 'confirm-dialog',
      attrs: { 'aria-labelledby': titleId, 'aria-modal': 'true' },
    },
    h('h2', { attrs: { id: titleId } }, options.title),
    h('div', { class: 'dialog-body' }, ...options.body),
    options.askReason === false ? null : field(t('confirm.reason'), reason),
    outcome,
    h('div', { class: 'dialog-buttons' }, confirm, keep),
  );
  let succeeded = false;

  const close = () => {
    if (dialog.open) dialog.close();
  };
  dialog.addEventListener('close', () => {
    dialog.remove();
    // The page may have been re-rendered meanwhile (a live update): the opener's twin, else the fallback.
    const testid = opener.dataset.testid;
    const twin =
      testid === undefined ? null : document.querySelector<HTMLElement>(`[data-testid="${testid}"]`);
    const target = opener.isConnected ? opener : (twin ?? options.fallbackFocus?.() ?? null);
    target?.focus();
    if (succeeded) options.onDone?.();
  });
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== 'Tab') return;
    const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    if (first === undefined || last === undefined) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  keep.addEventListener('click', close);
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    keep.disabled = true;
    reason.disabled = true;
    replace(outcome, h('p', { attrs: { role: 'status' } }, t('confirm.working')));
    const result = await options.run(reason.value.trim());
    if (result.ok) {
      succeeded = true;
      replace(
        outcome,
        h('p', { class: 'message success', attrs: { role: 'status' } }, options.done(result.value)),
      );
    } else {
      replace(outcome, errorMessage(result.failure));
    }
    // Whatever the answer, the only thing left is to close.
    confirm.remove();
    keep.textContent = t('confirm.close');
    keep.disabled = false;
    keep.focus();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  keep.focus();
}
