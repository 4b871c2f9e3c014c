import { describe, expect, it } from 'vitest';
import { OutputTail } from './output-tail.js';

describe('OutputTail', () => {
  it('keeps everything while under the limit', () => {
    const tail = new OutputTail(100);
    tail.append('one\n');
    tail.append(Buffer.from('two\n'));
    expect(tail.text()).toBe('one\ntwo\n');
    expect(tail.lastLines()).toBe('  one\n  two');
  });

  it('keeps only the newest characters and marks the cut', () => {
    const tail = new OutputTail(10);
    tail.append('0123456789');
    tail.append('abcde');
    expect(tail.text()).toBe('[…]56789abcde');
  });

  it('gives the last lines, and says so when there was no output', () => {
    const tail = new OutputTail();
    expect(tail.lastLines()).toBe('  (no output)');
    for (let n = 1; n <= 30; n++) tail.append(`line ${n}\n`);
    expect(tail.lastLines(2)).toBe('  line 29\n  line 30');
  });
});
