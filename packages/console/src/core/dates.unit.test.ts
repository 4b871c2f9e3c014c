import { describe, expect, it } from 'vitest';
import { browserTimeZone, formatDateTime, formatDuration } from './dates.js';

describe('dates', () => {
  it('format an instant in the given zone and language', () => {
    const iso = '2026-12-05T16:04:09.000Z';
    const madrid = formatDateTime(iso, 'es', { timeZone: 'Europe/Madrid' });
    expect(madrid).toContain('17:04:09');
    expect(madrid).toContain('2026');
    expect(formatDateTime(iso, 'en', { timeZone: 'America/New_York' })).toMatch(/11:04:09\sAM/);
    expect(formatDateTime(iso, 'en', { timeZone: 'UTC' })).toMatch(/Dec 5, 2026/);
  });

  it('show a dash for nothing or nonsense', () => {
    expect(formatDateTime(null, 'es')).toBe('—');
    expect(formatDateTime('yesterday', 'es')).toBe('—');
  });

  it('format durations', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_480)).toBe('12.4 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_260_000)).toBe('2 h 01 min');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
  });
});

describe('browserTimeZone', () => {
  it('names the runtime’s zone', () => {
    const before = process.env.TZ;
    try {
      // Node applies a TZ set at runtime to Intl at once.
      process.env.TZ = 'Asia/Tokyo';
      expect(browserTimeZone()).toBe('Asia/Tokyo');
      process.env.TZ = 'America/Lima';
      expect(browserTimeZone()).toBe('America/Lima');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});
