import { describe, expect, it } from 'vitest';
import { FrameDisplay } from './frame-display.js';

function sink(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return {
    chunks,
    stream: {
      isTTY,
      ...(columns === undefined ? {} : { columns }),
      write: (text: string) => chunks.push(text),
    },
  };
}

describe('FrameDisplay', () => {
  it('off a terminal, prints each distinct frame once, separated by an empty line', () => {
    const out = sink(false);
    const display = new FrameDisplay(out.stream, false);
    display.show(['a', 'b']);
    display.show(['a', 'b']);
    display.show(['a', 'c (12s)'], 'key-1');
    display.show(['a', 'c (13s)'], 'key-1');
    expect(out.chunks.join('')).toBe('a\nb\n\na\nc (12s)\n');
    expect(display.frames).toBe(2);
  });

  it('on a terminal, moves up over the last frame (wrapped lines counted) and clears before drawing', () => {
    const out = sink(true, 10);
    const display = new FrameDisplay(out.stream, true);
    display.show(['first', '\u001b[31m0123456789abc\u001b[39m']);
    display.show(['second']);
    display.show(['second']);
    display.detach();
    display.show(['third']);
    expect(out.chunks).toEqual([
      'first\n\u001b[31m0123456789abc\u001b[39m\n',
      '\u001b[3F\u001b[Jsecond\n',
      '\u001b[1F\u001b[Jsecond\n',
      'third\n',
    ]);
  });
});
