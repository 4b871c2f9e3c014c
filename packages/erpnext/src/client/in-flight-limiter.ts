/**
 * A cap on the requests one instance has in flight (`max_in_flight`): a counting semaphore with
 * a FIFO queue. A request beyond the cap waits for a slot. Counts what it saw, so the cap can be
 * observed (`current`, `maxSeen`).
 */

export interface InFlightStats {
  limit: number;
  /** Requests running now. */
  current: number;
  /** Requests waiting for a slot now. */
  queued: number;
  /** The most requests ever running at once. */
  maxSeen: number;
  /** The longest the queue has been. */
  maxQueued: number;
}

export class InFlightLimiter {
  readonly #limit: number;
  #current = 0;
  #maxSeen = 0;
  #maxQueued = 0;
  #closedWith: Error | undefined;
  readonly #queue: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`in-flight limit must be an integer >= 1`);
    this.#limit = limit;
  }

  /** Runs `task` once a slot is free; the slot is held until its promise settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  stats(): InFlightStats {
    return {
      limit: this.#limit,
      current: this.#current,
      queued: this.#queue.length,
      maxSeen: this.#maxSeen,
      maxQueued: this.#maxQueued,
    };
  }

  /** Refuses new work and rejects everything still waiting with `error`. Running tasks finish. */
  close(error: Error): void {
    this.#closedWith = error;
    for (const waiter of this.#queue.splice(0)) waiter.reject(error);
  }

  #acquire(): Promise<void> {
    if (this.#closedWith !== undefined) return Promise.reject(this.#closedWith);
    if (this.#current < this.#limit) {
      this.#take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ resolve, reject });
      this.#maxQueued = Math.max(this.#maxQueued, this.#queue.length);
    });
  }

  #release(): void {
    this.#current--;
    const next = this.#queue.shift();
    if (next !== undefined) {
      this.#take();
      next.resolve();
    }
  }

  #take(): void {
    this.#current++;
    this.#maxSeen = Math.max(this.#maxSeen, this.#current);
  }
}
