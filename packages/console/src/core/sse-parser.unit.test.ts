import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser.js';

describe('SseParser', () => {
  it('parses /v1/live messages and drops comments', () => {
    const parser = new SseParser();
    const messages = parser.push(
      ': connected\n\nid: 7\nevent: step.done\ndata: {"transfer_id":"tr_1","seq":7}\n\n: heartbeat\n\n',
    );
    expect(messages).toEqual([{ id: '7', event: 'step.done', data: '{"transfer_id":"tr_1","seq":7}' }]);
  });

  it('completes a message split across chunks anywhere, \\r\\n included', () => {
    const parser = new SseParser();
    const text = 'id: 12\r\nevent: transfer.requested\r\ndata: {"a":1}\r\n\r\n';
    const out = [];
    for (const char of text) out.push(...parser.push(char));
    expect(out).toEqual([{ id: '12', event: 'transfer.requested', data: '{"a":1}' }]);
  });

  it('joins data lines with newlines; defaults the event to message; the id carries over', () => {
    const parser = new SseParser();
    expect(parser.push('id: 3\ndata: one\ndata:two\n\ndata: three\n\n')).toEqual([
      { id: '3', event: 'message', data: 'one\ntwo' },
      { id: '3', event: 'message', data: 'three' },
    ]);
  });

  it('ignores a message without data, a leading BOM, unknown fields and ids with NUL', () => {
    const parser = new SseParser();
    expect(parser.push('\uFEFFevent: x\n\nretry: 10\nfoo: bar\nid: a\0b\ndata\n\n')).toEqual([
      { id: undefined, event: 'message', data: '' },
    ]);
  });

  it('keeps an unfinished message until its blank line', () => {
    const parser = new SseParser();
    expect(parser.push('id: 1\ndata: x\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ id: '1', event: 'message', data: 'x' }]);
  });
});
