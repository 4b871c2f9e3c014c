import { describe, expect, it } from 'vitest';
import { isDateTime } from './formats.js';

describe('isDateTime', () => {
  it.each([
    '2026-12-05T14:30:00Z',
    '2026-12-05T14:30:00.123Z',
    '2026-12-05T14:30:00.123456789Z',
    '2026-12-05T14:30:00+02:00',
    '2024-02-29T00:00:00Z',
  ])('takes %s', (value) => {
    expect(isDateTime(value)).toBe(true);
  });

  it.each([
    ['a day the month does not have', '2026-02-30T00:00:00Z'],
    ['February 29 of a common year', '2026-02-29T00:00:00Z'],
    ['April 31', '2026-04-31T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-01-00T00:00:00Z'],
    ['hour 24', '2026-01-01T24:00:00Z'],
    ['minute 60', '2026-01-01T10:60:00Z'],
    ['second 60 (no leap seconds in JavaScript dates)', '2026-06-30T23:59:60Z'],
    ['offset minutes 60', '2026-01-01T10:00:00+01:60'],
    ['no time zone', '2026-01-01T10:00:00'],
    ['a date alone', '2026-01-01'],
    ['text', 'yesterday'],
  ])('refuses %s (%s)', (_why, value) => {
    expect(isDateTime(value)).toBe(false);
  });
});
