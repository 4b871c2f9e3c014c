/**
 * Shows successive frames: on a terminal each one replaces the last in place (ANSI: cursor up,
 * clear to the end of the screen); elsewhere (a pipe, a log, a test) each distinct frame is
 * printed once, frames separated by an empty line.
 */
import type { OutStream } from '../io.js';
import { visibleLength } from './paint.js';

export class FrameDisplay {
  #drawnRows = 0;
  #lastKey: string | undefined;
  #frames = 0;

  constructor(
    private readonly out: OutStream,
    private readonly inPlace: boolean,
  ) {}

  /**
   * Shows a frame. Off a terminal, a frame whose `key` (default: its text) equals the last one's
   * is not printed again: pass a key without the clock to print only real changes.
   */
  show(lines: readonly string[], key: string = lines.join('\n')): void {
    if (this.inPlace) {
      const erase = this.#drawnRows > 0 ? `\u001b[${this.#drawnRows}F\u001b[J` : '';
      this.out.write(`${erase}${lines.join('\n')}\n`);
      const columns = this.out.columns !== undefined && this.out.columns > 0 ? this.out.columns : 80;
      this.#drawnRows = lines.reduce(
        (rows, line) => rows + Math.max(1, Math.ceil(visibleLength(line) / columns)),
        0,
      );
      return;
    }
    if (key === this.#lastKey) return;
    this.#lastKey = key;
    this.out.write(`${this.#frames > 0 ? '\n' : ''}${lines.join('\n')}\n`);
    this.#frames += 1;
  }

  /**
   * Leaves the frame on screen as it is: the next one is drawn below it (call before writing
   * anything else to the terminal, e.g. a note on stderr, which would throw off the redraw).
   */
  detach(): void {
    this.#drawnRows = 0;
  }

  /** How many frames were printed (off a terminal). */
  get frames(): number {
    return this.#frames;
  }
}
