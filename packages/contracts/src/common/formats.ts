import { FormatRegistry } from '@sinclair/typebox';

// TypeBox checks `format` only for formats registered here (an unknown one fails every value).
// RFC 3339 date-time with a time zone, as `new Date().toISOString()` writes it.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Days of a month of a year (proleptic Gregorian, as Date computes them). */
function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Whether `value` is an RFC 3339 date-time with a time zone that names a real instant: the
 * calendar is checked too (`2026-02-30T00:00:00Z` is refused, where Date.parse would roll it over
 * to March 2), as are hours, minutes, seconds (no leap second: JavaScript dates have none) and
 * the offset.
 */
export function isDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (match === null) return false;
  const [year, month, day, hour, minute, second, offsetHour = 0, offsetMinute = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)))
    .filter((part): part is number => part !== undefined);
  if (year === undefined || month === undefined || day === undefined) return false;
  if (hour === undefined || minute === undefined || second === undefined) return false;
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59 &&
    !Number.isNaN(Date.parse(value))
  );
}

export function registerFormats(): void {
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);
}
