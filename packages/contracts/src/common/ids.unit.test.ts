import { describe, expect, it } from 'vitest';
import { newEventId, newTransferId, newUlid } from './ids.js';

describe('ids', () => {
  it('transfer ids are "tr_" and a ULID, safe as a NATS token, KV key and URL segment', () => {
    const id = newTransferId();
    expect(id).toMatch(/^tr_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(encodeURIComponent(id)).toBe(id);
  });

  it('sort by creation time', () => {
    const earlier = newUlid(Date.UTC(2026, 0, 1));
    const later = newUlid(Date.UTC(2026, 0, 1, 0, 0, 0, 1));
    expect(earlier < later).toBe(true);
    expect(newUlid(0).slice(0, 10)).toBe('0000000000');
  });

  it('do not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newEventId()));
    expect(ids.size).toBe(10_000);
  });
});
