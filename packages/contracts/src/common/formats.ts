import { FormatRegistry } from '@sinclair/typebox';

// TypeBox checks `format` only for formats registered here (an unknown one fails every value).
// RFC 3339 date-time with a time zone, as `new Date().toISOString()` writes it.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export function registerFormats(): void {
  if (!FormatRegistry.Has('date-time')) {
    FormatRegistry.Set('date-time', (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
  }
}
