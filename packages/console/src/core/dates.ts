/**
 * Dates and durations for people: `Intl.DateTimeFormat` in the browser's time zone (a zone may be
 * given, for tests). Pure.
 */

export interface DateOptions {
  /** An IANA zone; undefined: the runtime's (the browser's). */
  readonly timeZone?: string;
}

/** A date and time with seconds (`5 dic 2026, 17:04:09`), or '—' when absent or not a date. */
export function formatDateTime(
  iso: string | null | undefined,
  locale: string,
  options: DateOptions = {},
): string {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  }).format(date);
}

/** A duration (`850 ms`, `12.4 s`, `3 min 05 s`, `2 h 01 min`), or '—'. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours === 0) return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
  return `${hours} h ${String(minutes).padStart(2, '0')} min`;
}

/** The runtime's time zone (the browser's), as dates are shown in it; undefined if unknown. */
export function browserTimeZone(): string | undefined {
  const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone === '' ? undefined : zone;
}
