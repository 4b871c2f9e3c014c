/** How far a rebuild or replay is. */
export interface ReplayProgress {
  /** Events read so far. */
  readonly events: number;
  /** Transfer documents written so far. */
  readonly transfers: number;
  readonly eventsPerSecond: number;
  /** The last stream sequence read. */
  readonly lastSeq: number;
  readonly elapsedMs: number;
}

/** Counts events and transfers from a start time. */
export class ProgressCounter {
  events = 0;
  transfers = 0;
  lastSeq = 0;
  readonly #started = performance.now();

  snapshot(): ReplayProgress {
    const elapsedMs = Math.round(performance.now() - this.#started);
    return {
      events: this.events,
      transfers: this.transfers,
      eventsPerSecond: elapsedMs === 0 ? 0 : Math.round((this.events * 1000) / elapsedMs),
      lastSeq: this.lastSeq,
      elapsedMs,
    };
  }
}
