import { describe, expect, it } from 'vitest';
import { readSse, SseParser } from './sse.js';

describe('SseParser', () => {
  it('reads messages split anywhere, skipping comments, with id, event and multi-line data', () => {
    const text =
      ': connected\n\nid: 7\nevent: po_a.done\ndata: {"seq":7}\n\n: heartbeat\n\nid: 8\r\nevent: pr_a.done\r\ndata: line 1\r\ndata: line 2\r\n\r\ndata: no id\n\n';
    for (const size of [1, 3, 7, text.length]) {
      const parser = new SseParser();
      const messages = [];
      for (let i = 0; i < text.length; i += size) messages.push(...parser.push(text.slice(i, i + size)));
      expect(messages).toEqual([
        { id: '7', event: 'po_a.done', data: '{"seq":7}' },
        { id: '8', event: 'pr_a.done', data: 'line 1\nline 2' },
        { id: '8', event: 'message', data: 'no id' },
      ]);
    }
  });

  it('reads a body of bytes, a character split across chunks included', async () => {
    const bytes = Buffer.from('id: 1\nevent: x\ndata: é\n\n');
    async function* body() {
      yield bytes.subarray(0, 21);
      yield bytes.subarray(21);
    }
    const messages = [];
    for await (const message of readSse(body())) messages.push(message);
    expect(messages).toEqual([{ id: '1', event: 'x', data: 'é' }]);
  });
});
