/** Keeps the last `maxChars` characters written to it: a child's output, for error messages. */
export class OutputTail {
  #text = '';
  #dropped = false;

  constructor(readonly maxChars = 16_384) {}

  append(chunk: string | Uint8Array): void {
    this.#text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (this.#text.length > this.maxChars) {
      this.#text = this.#text.slice(this.#text.length - this.maxChars);
      this.#dropped = true;
    }
  }

  /** Everything kept, prefixed with a marker when older output was dropped. */
  text(): string {
    return this.#dropped ? `[…]${this.#text}` : this.#text;
  }

  /** The last `count` non-empty lines, each indented, ready to append to an error message. */
  lastLines(count = 20): string {
    const lines = this.#text.split('\n').filter((line) => line.trim() !== '');
    const tail = lines.slice(-count);
    return tail.length === 0 ? '  (no output)' : tail.map((line) => `  ${line}`).join('\n');
  }
}
