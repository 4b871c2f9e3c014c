import { browserTimeZone } from '../../core/dates.js';
import type { Route } from '../../core/route.js';
import { LANGUAGES, type Language, language, t } from '../../i18n/i18n.js';
import type { Session } from '../session.js';
import { h, replace } from './dom.js';

/**
 * The header: the name, the navigation the token's scopes allow (instances only for admin), who is
 * signed in, the language switch and Sign out.
 */
export interface HeaderActions {
  readonly setLanguage: (language: Language) => void;
  readonly signOut: () => void;
}

export function renderHeader(
  header: HTMLElement,
  session: Session | undefined,
  route: Route,
  actions: HeaderActions,
): void {
  const current = (page: Route['page'][]) => (page.includes(route.page) ? 'page' : undefined);
  const nav =
    session === undefined
      ? null
      : h(
          'nav',
          { class: 'main-nav', attrs: { 'aria-label': t('nav.label') } },
          h(
            'ul',
            {},
            session.permissions.readTransfers &&
              h(
                'li',
                {},
                h(
                  'a',
                  { attrs: { href: '#/transfers', 'aria-current': current(['transfers', 'transfer']) } },
                  t('nav.transfers'),
                ),
              ),
            session.permissions.admin &&
              h(
                'li',
                {},
                h(
                  'a',
                  { attrs: { href: '#/instances', 'aria-current': current(['instances']) } },
                  t('nav.instances'),
                ),
              ),
          ),
        );
  const languages = h(
    'div',
    { class: 'language', attrs: { role: 'group', 'aria-label': t('lang.label') } },
    LANGUAGES.map((lang) =>
      h(
        'button',
        {
          class: 'button small',
          attrs: { type: 'button', lang, 'aria-pressed': lang === language() ? 'true' : 'false' },
          on: { click: () => actions.setLanguage(lang) },
        },
        t(`lang.${lang}`),
      ),
    ),
  );
  const zone = browserTimeZone();
  const who =
    session === undefined
      ? null
      : h(
          'div',
          { class: 'who' },
          h('span', {}, t('nav.signed_in_as', { name: session.who.name })),
          h('span', { class: 'muted scopes' }, t('nav.scopes', { scopes: session.who.scopes.join(', ') })),
          zone !== undefined && h('span', { class: 'muted' }, t('app.time_zone', { zone })),
          h(
            'button',
            { class: 'button small', attrs: { type: 'button' }, on: { click: actions.signOut } },
            t('nav.sign_out'),
          ),
        );
  replace(
    header,
    h('div', { class: 'brand' }, t('app.name')),
    nav,
    h('div', { class: 'header-end' }, who, languages),
  );
}
