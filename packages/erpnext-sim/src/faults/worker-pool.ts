/**
 * K workers, like gunicorn's sync workers: a request beyond K waits in a queue until one frees.
 * Counts what it saw so tests can check that queueing was real.
 */
export class WorkerPool {
  #size: number;
  #busy = 0;
  readonly #queue: Array<() => void> = [];
  #maxBusy = 0;
  #maxQueued = 0;
  #served = 0;

  constructor(size: number) {
    this.#size = size;
  }

  /** 0 = unlimited. Waiting requests are let in if the pool grows. */
  resize(size: number): void {
    this.#size = size;
    this.#drain();
  }

  async acquire(): Promise<void> {
    if (this.#hasRoom()) {
      this.#take();
      return;
    }
    await new Promise<void>((resolve) => {
      this.#queue.push(resolve);
      this.#maxQueued = Math.max(this.#maxQueued, this.#queue.length);
    });
  }

  release(): void {
    this.#busy--;
    this.#served++;
    this.#drain();
  }

  stats(): {
    size: number;
    busy: number;
    queued: number;
    max_busy: number;
    max_queued: number;
    served: number;
  } {
    return {
      size: this.#size,
      busy: this.#busy,
      queued: this.#queue.length,
      max_busy: this.#maxBusy,
      max_queued: this.#maxQueued,
      served: this.#served,
    };
  }

  resetStats(): void {
    this.#maxBusy = this.#busy;
    this.#maxQueued = this.#queue.length;
    this.#served = 0;
  }

  #hasRoom(): boolean {
    return this.#size === 0 || this.#busy < this.#size;
  }

  #take(): void {
    this.#busy++;
    this.#maxBusy = Math.max(this.#maxBusy, this.#busy);
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#hasRoom()) {
      this.#take();
      this.#queue.shift()?.();
    }
  }
}
