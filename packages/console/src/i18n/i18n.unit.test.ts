import { describe, expect, it } from 'vitest';
import { DICTIONARIES, pickLanguage, setLanguage, t, translate } from './i18n.js';

describe('dictionaries', () => {
  it('have no empty text, and the same placeholders in es and en', () => {
    const esKeys = Object.keys(DICTIONARIES.es);
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of esKeys) {
      const es = DICTIONARIES.es[key as keyof typeof DICTIONARIES.es];
      const en = DICTIONARIES.en[key as keyof typeof DICTIONARIES.en];
      expect(es.trim(), key).not.toBe('');
      expect(en.trim(), key).not.toBe('');
      expect(placeholders(en), key).toEqual(placeholders(es));
    }
  });
});

describe('language', () => {
  it('is Spanish unless ?lang=en or the browser says en', () => {
    expect(pickLanguage('', 'es-ES')).toBe('es');
    expect(pickLanguage('', 'fr')).toBe('es');
    expect(pickLanguage('', undefined)).toBe('es');
    expect(pickLanguage('', 'en-GB')).toBe('en');
    expect(pickLanguage('?lang=en', 'es')).toBe('en');
    expect(pickLanguage('?lang=es', 'en-US')).toBe('es');
    expect(pickLanguage('?lang=de', 'en-US')).toBe('en');
  });

  it('fills placeholders', () => {
    expect(translate('en', 'transfer.title', { id: 'tr_1' })).toBe('Transfer tr_1');
    expect(translate('es', 'error.http', { status: 409 })).toBe('Error 409: {message}');
    setLanguage('en');
    expect(t('nav.transfers')).toBe('Transfers');
    setLanguage('es');
    expect(t('nav.transfers')).toBe('Transferencias');
  });
});
