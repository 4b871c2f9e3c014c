import { parseHash, type Route } from '../core/route.js';
import { type Language, pickLanguage, setLanguage, t } from '../i18n/i18n.js';
import { renderInstances } from './pages/instances.js';
import { renderSignIn } from './pages/sign-in.js';
import { renderTransfer } from './pages/transfer.js';
import { renderTransfers } from './pages/transfers.js';
import { endSession, serialFilter, session } from './session.js';
import { errorMessage } from './ui/common.js';
import { h, replace } from './ui/dom.js';
import { renderHeader } from './ui/header.js';

/**
 * The console's entry point (public/index.html loads it as a module): the language, the hash
 * router, and the page in view. Each page answers a clean-up (abort its requests, close its
 * live stream) that runs before the next page.
 */

const header = document.getElementById('header') as HTMLElement;
const main = document.getElementById('main') as HTMLElement;
let cleanup: (() => void) | undefined;
/** Where to go after signing in (the page asked for before). */
let afterSignIn = '#/transfers';
let notice: string | undefined;

function applyLanguage(lang: Language): void {
  setLanguage(lang);
  document.documentElement.lang = lang;
  document.title = t('app.title');
  const skip = document.getElementById('skip-link');
  if (skip !== null) skip.textContent = t('app.skip');
}

function chooseLanguage(lang: Language): void {
  const url = new URL(location.href);
  url.searchParams.set('lang', lang);
  history.replaceState(null, '', url);
  applyLanguage(lang);
  render(false);
}

function signOut(message = t('sign_in.signed_out')): void {
  endSession();
  notice = message;
  if (location.hash === '#/sign-in') render(true);
  else location.hash = '#/sign-in';
}

function render(moveFocus: boolean): void {
  cleanup?.();
  cleanup = undefined;
  const route: Route = parseHash(location.hash);
  const current = session();
  document.title = pageTitle(route);
  renderHeader(header, current, route, { setLanguage: chooseLanguage, signOut: () => signOut() });
  if (current === undefined) {
    if (route.page !== 'sign-in') {
      afterSignIn = location.hash === '' ? '#/transfers' : location.hash;
      location.replace('#/sign-in');
      return;
    }
    const shown = notice;
    notice = undefined;
    renderSignIn(main, shown, (signedIn) => {
      signedIn.client.onUnauthorized = () => signOut(t('error.session_expired'));
      const target = afterSignIn;
      afterSignIn = '#/transfers';
      if (location.hash === target) render(true);
      else location.hash = target;
    });
    return;
  }
  switch (route.page) {
    case 'sign-in':
      location.replace('#/transfers');
      return;
    case 'transfers':
      {
        const serial = current.permissions.readSerials ? serialFilter() : undefined;
        cleanup = renderTransfers(
          main,
          current,
          serial === undefined ? route.filters : { ...route.filters, serial },
        );
      }
      break;
    case 'transfer':
      cleanup = renderTransfer(main, current, route.id);
      break;
    case 'instances':
      if (!current.permissions.admin) {
        replace(main, errorMessage(t('instances.forbidden')));
        return;
      }
      cleanup = renderInstances(main, current);
      break;
  }
  if (moveFocus) main.focus({ preventScroll: false });
}

/** The window's title names the page (screen readers announce it on navigation). */
function pageTitle(route: Route): string {
  switch (route.page) {
    case 'sign-in':
      return `${t('sign_in.title')} · ${t('app.title')}`;
    case 'transfers':
      return `${t('transfers.title')} · ${t('app.title')}`;
    case 'transfer':
      return `${route.id} · ${t('app.title')}`;
    case 'instances':
      return `${t('instances.title')} · ${t('app.title')}`;
  }
}

function start(): void {
  applyLanguage(pickLanguage(location.search, navigator.language));
  const skip = h('a', { class: 'skip-link', attrs: { id: 'skip-link', href: '#main' } }, t('app.skip'));
  // The skip link focuses the content without touching the hash (the router's).
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  document.body.prepend(skip);
  window.addEventListener('hashchange', () => render(true));
  render(false);
}

start();
