import { describe, expect, it } from 'vitest';
import { lastSeqOfComment, mayBeReplayed, sequenceOf } from './live-position.js';
import { SseParser } from './sse-parser.js';

describe('sequenceOf', () => {
  it('reads a whole number as the tracker writes it, nothing else', () => {
    expect(sequenceOf('0')).toBe(0);
    expect(sequenceOf('1234')).toBe(1234);
    expect(sequenceOf(' 42 ')).toBe(42);
    for (const text of ['', '-1', '1.5', '1e3', '0x10', '012', 'abc', '99999999999999999', null, undefined])
      expect(sequenceOf(text)).toBeUndefined();
  });
});

describe('lastSeqOfComment', () => {
  it('reads last_seq of the opening comment', () => {
    expect(lastSeqOfComment('connected last_seq=815')).toBe(815);
    expect(lastSeqOfComment('connected  last_seq=0')).toBe(0);
    expect(lastSeqOfComment('connected other=1 last_seq=7')).toBe(7);
  });

  it('answers undefined for an older tracker or anything else', () => {
    expect(lastSeqOfComment('connected')).toBeUndefined();
    expect(lastSeqOfComment('heartbeat')).toBeUndefined();
    expect(lastSeqOfComment('heartbeat last_seq=5')).toBeUndefined();
    expect(lastSeqOfComment('connected last_seq=')).toBeUndefined();
    expect(lastSeqOfComment('connected last_seq=x')).toBeUndefined();
    expect(lastSeqOfComment(undefined)).toBeUndefined();
  });

  it('reads what the parser kept of a stream that opens with it', () => {
    const parser = new SseParser();
    parser.push(': connected last_seq=120\n\nid: 118\nevent: transfer.requested\ndata: {}\n\n');
    expect(lastSeqOfComment(parser.openingComment)).toBe(120);
  });
});

describe('mayBeReplayed', () => {
  it('is true for an event at or before the stream’s last sequence at its open', () => {
    expect(mayBeReplayed('118', 120)).toBe(true);
    expect(mayBeReplayed('120', 120)).toBe(true);
    expect(mayBeReplayed('121', 120)).toBe(false);
  });

  it('without a last_seq or a usable id, takes every event as new (as before)', () => {
    expect(mayBeReplayed('5', undefined)).toBe(false);
    expect(mayBeReplayed(undefined, 120)).toBe(false);
    expect(mayBeReplayed('abc', 120)).toBe(false);
  });
});
