import { describe, expect, it } from 'vitest';
import { parseLastEventId, sseComment, sseMessage } from './sse-format.js';

describe('server-sent events', () => {
  it('write a message as id, event and one data line', () => {
    expect(sseMessage({ id: 7, event: 'po_a.done', data: { seq: 7 } })).toBe(
      'id: 7\nevent: po_a.done\ndata: {"seq":7}\n\n',
    );
  });

  it('keep newlines out of the event and comments', () => {
    expect(sseMessage({ id: 1, event: 'a\nb', data: 'x\ny' })).toBe('id: 1\nevent: a b\ndata: "x\\ny"\n\n');
    expect(sseComment('a\nb')).toBe(': a b\n\n');
  });

  it('read Last-Event-ID as a stream sequence', () => {
    expect(parseLastEventId('42')).toBe(42);
    expect(parseLastEventId(' 42 ')).toBe(42);
    for (const bad of ['0', '-1', '1.5', 'abc', '', '99999999999999999']) {
      expect(parseLastEventId(bad)).toBeUndefined();
    }
    expect(parseLastEventId(undefined)).toBeUndefined();
  });
});
