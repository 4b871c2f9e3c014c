import { en } from './en.js';
import { es, type MessageKey } from './es.js';

/**
 * The console's words: one dictionary per language (es.ts, en.ts), `{name}` placeholders filled
 * from params. The language is Spanish unless `?lang=en` is in the URL or the browser's language
 * starts with `en`. Pure (the current language is a module variable the header's switch sets).
 */
export type Language = 'es' | 'en';
export type { MessageKey };
export const LANGUAGES: readonly Language[] = ['es', 'en'];

export const DICTIONARIES: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = { es, en };

let current: Language = 'es';

/** The language of a page: `?lang=` in its search first, then the browser's language. */
export function pickLanguage(search: string, navigatorLanguage: string | undefined): Language {
  const asked = new URLSearchParams(search).get('lang');
  if (asked === 'es' || asked === 'en') return asked;
  return navigatorLanguage?.toLowerCase().startsWith('en') === true ? 'en' : 'es';
}

export function setLanguage(language: Language): void {
  current = language;
}

export function language(): Language {
  return current;
}

/** A message in `lang` with its placeholders filled (an unknown placeholder stays as written). */
export function translate(
  lang: Language,
  key: MessageKey,
  params: Readonly<Record<string, string | number>> = {},
): string {
  return DICTIONARIES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** A message in the current language. */
export function t(key: MessageKey, params?: Readonly<Record<string, string | number>>): string {
  return translate(current, key, params);
}
