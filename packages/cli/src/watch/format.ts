/** Durations and times for people. */

/** `850ms`, `4.2s`, `2m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, Math.round(ms));
  if (value < 1000) return `${value}ms`;
  if (value < 60_000) return `${(Math.floor(value / 100) / 10).toFixed(1)}s`;
  const seconds = Math.floor(value / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** Milliseconds from `from` (RFC 3339) to `to`; undefined when `from` is not a time. */
export function since(from: string | null | undefined, to: Date): number | undefined {
  if (from === null || from === undefined) return undefined;
  const start = Date.parse(from);
  return Number.isFinite(start) ? to.getTime() - start : undefined;
}

/** `x item` / `x items`. */
export function plural(count: number, word: string): string {
  return `${count.toLocaleString('en')} ${word}${count === 1 ? '' : 's'}`;
}
