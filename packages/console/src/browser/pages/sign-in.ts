import { ApiClient, networkFailure } from '../../api/client.js';
import type { ConsoleConfig, WhoAmI } from '../../api/types.js';
import { permissionsOf } from '../../core/permissions.js';
import { t } from '../../i18n/i18n.js';
import { type Session, startSession } from '../session.js';
import { errorMessage } from '../ui/common.js';
import { field, h, replace } from '../ui/dom.js';

/**
 * Sign-in: a token, checked with GET /v1/auth/whoami (401: wrong token), which also tells its
 * scopes; the list then needs transfers:read (its 403 says so). The token is never stored: the
 * field is a plain input masked by CSS (class `secret-input`: -webkit-text-security), with
 * autocomplete off, in a form whose submission is always prevented and which has no password
 * field, so the browser's password manager neither offers to save nor fills it.
 */

/** The tracker's base: the console is served at `<tracker>/console/`. */
function trackerBase(): string {
  return new URL('../', document.baseURI).toString();
}

async function readConfig(): Promise<{ ok: true; intakeBase: string } | { ok: false; detail: string }> {
  try {
    const response = await fetch(new URL('config.json', document.baseURI), {
      credentials: 'omit',
      cache: 'no-store',
    });
    if (!response.ok) return { ok: false, detail: `HTTP ${response.status}` };
    const config = (await response.json()) as Partial<ConsoleConfig>;
    const url =
      typeof config.intake_url === 'string' && config.intake_url !== '' ? config.intake_url : trackerBase();
    return { ok: true, intakeBase: url };
  } catch (error) {
    return { ok: false, detail: networkFailure(error).message };
  }
}

export function renderSignIn(
  main: HTMLElement,
  notice: string | undefined,
  onSignedIn: (session: Session) => void,
): void {
  const token = h('input', {
    class: 'secret-input',
    attrs: {
      type: 'text',
      name: 'token',
      autocomplete: 'off',
      autocapitalize: 'off',
      autocorrect: 'off',
      spellcheck: 'false',
      required: true,
      'data-1p-ignore': true,
      'data-lpignore': 'true',
    },
  });
  const submit = h('button', { class: 'button primary', attrs: { type: 'submit' } }, t('sign_in.submit'));
  const outcome = h('div', { attrs: { 'aria-live': 'polite' } });
  const form = h(
    'form',
    {
      class: 'sign-in',
      testid: 'sign-in-form',
      attrs: { novalidate: true, 'aria-labelledby': 'sign-in-title' },
    },
    h('h1', { attrs: { id: 'sign-in-title' } }, t('sign_in.title')),
    h('p', {}, t('sign_in.intro')),
    notice === undefined ? null : h('p', { class: 'message info', attrs: { role: 'status' } }, notice),
    field(t('sign_in.token'), token),
    h('div', { class: 'buttons' }, submit),
    outcome,
  );

  const fail = (text: string) => {
    replace(outcome, errorMessage(text));
    submit.disabled = false;
    token.focus();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = token.value.trim();
    if (value === '') return fail(t('sign_in.empty'));
    submit.disabled = true;
    replace(outcome, h('p', { attrs: { role: 'status' } }, t('sign_in.checking')));
    const config = await readConfig();
    if (!config.ok) return fail(t('sign_in.config_failed', { detail: config.detail }));
    const client = new ApiClient(value, trackerBase(), config.intakeBase);
    const who = await client.request<WhoAmI>('tracker', '/v1/auth/whoami');
    if (!who.ok) {
      const { status, message } = who.failure;
      if (status === 401) return fail(t('sign_in.unauthorized'));
      if (status === 0) return fail(t('sign_in.unreachable', { detail: message }));
      replace(outcome, errorMessage(who.failure));
      submit.disabled = false;
      return;
    }
    // The field is emptied: the token lives in the client object only.
    token.value = '';
    const session: Session = { client, who: who.value, permissions: permissionsOf(who.value.scopes) };
    startSession(session);
    onSignedIn(session);
  });
  replace(main, form);
  token.focus();
}
