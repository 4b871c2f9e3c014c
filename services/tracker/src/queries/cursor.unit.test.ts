import { describe, expect, it } from 'vitest';
import {
  decodeOffsetCursor,
  decodeTransferCursor,
  encodeOffsetCursor,
  encodeTransferCursor,
} from './cursor.js';

const cursor = { created_at: '2026-12-01T10:00:00.000Z', id: 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B' };

describe('transfer cursors', () => {
  it('round-trip, as base64url text', () => {
    const text = encodeTransferCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTransferCursor(text)).toEqual(cursor);
  });

  it.each([
    ['not base64url', '!!!'],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['a cut token', encodeTransferCursor(cursor).slice(0, 20)],
    ['another shape', Buffer.from(JSON.stringify({ c: cursor.created_at })).toString('base64url')],
    ['a bad id', Buffer.from(JSON.stringify({ c: cursor.created_at, i: 'tr_x' })).toString('base64url')],
    [
      'a bad time',
      Buffer.from(JSON.stringify({ c: '2026-13-45T99:00:00Z', i: cursor.id })).toString('base64url'),
    ],
    ['an offset cursor', encodeOffsetCursor(5)],
  ])('refuse %s', (_name, text) => {
    expect(decodeTransferCursor(text)).toBeUndefined();
  });
});

describe('offset cursors', () => {
  it('round-trip', () => {
    expect(decodeOffsetCursor(encodeOffsetCursor(300))).toBe(300);
  });

  it('refuse a negative, fractional or foreign one', () => {
    expect(decodeOffsetCursor(Buffer.from('{"o":-1}').toString('base64url'))).toBeUndefined();
    expect(decodeOffsetCursor(Buffer.from('{"o":1.5}').toString('base64url'))).toBeUndefined();
    expect(decodeOffsetCursor(encodeTransferCursor(cursor))).toBeUndefined();
  });
});
