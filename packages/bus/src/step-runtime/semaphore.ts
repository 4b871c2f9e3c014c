/** A counting semaphore: at most `size` holders at once, the others wait in order. */
export class Semaphore {
  readonly #size: number;
  #held = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #idle: Array<() => void> = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('a semaphore needs a size of 1 or more');
    this.#size = size;
  }

  get held(): number {
    return this.#held;
  }

  /** Slots nobody holds now (acquire() would not wait). */
  get free(): number {
    return this.#waiting.length > 0 ? 0 : this.#size - this.#held;
  }

  async acquire(): Promise<void> {
    if (this.#held < this.#size) {
      this.#held++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) {
      next(); // the slot passes on as it is
      return;
    }
    this.#held = Math.max(0, this.#held - 1);
    if (this.#held === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Resolves once nobody holds a slot. */
  async idle(): Promise<void> {
    if (this.#held === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }
}
