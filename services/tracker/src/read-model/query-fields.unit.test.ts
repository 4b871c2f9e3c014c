import { describe, expect, it } from 'vitest';
import { sampleHistory } from '../test-support/histories.js';
import { storedInstant } from './query-fields.js';
import { documentFromJournal } from './transfer-documents.js';

describe('storedInstant', () => {
  it('stores every time as toISOString() text', () => {
    expect(storedInstant('2026-01-05T12:00:00+02:00')).toBe('2026-01-05T10:00:00.000Z');
    expect(storedInstant('2026-01-05T10:00:00Z')).toBe('2026-01-05T10:00:00.000Z');
    expect(storedInstant('2026-01-05T10:00:00.123456Z')).toBe('2026-01-05T10:00:00.123Z');
    expect(storedInstant('2026-01-05T10:00:00.5-00:30')).toBe('2026-01-05T10:30:00.500Z');
    expect(storedInstant(null)).toBeNull();
    expect(storedInstant(undefined)).toBeNull();
    expect(storedInstant('not a time')).toBe('not a time');
  });
});

describe('the query fields of a document', () => {
  /** A completed transfer starting at `startUtc`, one event a second, its times written with `offset`. */
  const docAt = (startUtc: string, offset: string) => {
    const events = sampleHistory('completed');
    const start = Date.parse(startUtc);
    const shifted = events.map((event, i) => {
      const at = new Date(start + i * 1000);
      const sign = offset.startsWith('-') ? -1 : 1;
      const [hours, minutes] = offset.slice(1).split(':').map(Number);
      const local = new Date(at.getTime() + sign * ((hours ?? 0) * 60 + (minutes ?? 0)) * 60_000);
      const text =
        offset === 'Z'
          ? at.toISOString().replace('.000Z', 'Z')
          : `${local.toISOString().slice(0, 19)}${offset}`;
      return { ...event, time: text };
    });
    const id = shifted[0]?.transferid ?? '';
    return documentFromJournal(
      id,
      shifted.map((event, i) => ({ seq: i + 1, event })),
    );
  };

  it('normalizes created_at and updated_at, so they sort and filter as times', () => {
    const earlier = docAt('2026-01-05T10:00:00Z', '+02:00');
    const later = docAt('2026-01-05T10:30:00Z', 'Z');
    // As written: "2026-01-05T12:00:00+02:00" sorts after "2026-01-05T10:30:00Z", wrongly.
    expect(earlier.state?.created_at).toBe('2026-01-05T12:00:00+02:00');
    expect(earlier.created_at).toBe('2026-01-05T10:00:00.000Z');
    expect(earlier.updated_at).toBe('2026-01-05T10:00:04.000Z');
    expect(later.created_at).toBe('2026-01-05T10:30:00.000Z');
    expect(String(earlier.created_at) < String(later.created_at)).toBe(true);
    // A created_from filter is compared in the same form (queries/transfer-filter.ts).
    expect(String(earlier.created_at) >= new Date('2026-01-05T11:00:00+01:00').toISOString()).toBe(true);
  });
});
