/**
 * The pause before reopening a live stream that ended (or dropped): `minMs` after a stream that
 * lasted, doubling while streams keep ending quickly (a proxy or tracker that closes them right
 * after the headers), up to `maxMs`. A stream that lasted `maxMs` or more starts over at `minMs`.
 */
export interface ReopenPause {
  readonly delayMs: number;
  /** The pause is longer than the last one (or the first): worth one note, not one per reopen. */
  readonly longer: boolean;
}

export class ReopenBackoff {
  #openedAt: number | undefined;
  #lastDelayMs: number | undefined;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly now: () => number,
  ) {}

  /** A stream was opened. */
  opened(): void {
    this.#openedAt = this.now();
  }

  /** The stream ended or dropped: how long to wait before opening it again. */
  ended(): ReopenPause {
    const lived = this.#openedAt === undefined ? 0 : this.now() - this.#openedAt;
    this.#openedAt = undefined;
    const previous = lived >= this.maxMs ? undefined : this.#lastDelayMs;
    const delayMs =
      previous === undefined ? this.minMs : Math.min(this.maxMs, Math.max(this.minMs, previous * 2));
    this.#lastDelayMs = delayMs;
    return { delayMs, longer: previous === undefined || delayMs > previous };
  }
}
