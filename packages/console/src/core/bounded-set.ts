/**
 * A set of at most `capacity` values: adding one to a full set drops the oldest added first.
 * For ids a page remembers while it stays open (a later page of the transfers list keeps the
 * transfers created since it was read until they are counted): memory stays bounded however
 * long the page is open.
 */
export class BoundedSet<T> {
  readonly #values = new Set<T>();
  readonly capacity: number;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity must be ≥ 1');
    this.capacity = capacity;
  }

  get size(): number {
    return this.#values.size;
  }

  /** Adds `value` (as the newest, when it was there already); drops the oldest beyond the capacity. */
  add(value: T): this {
    this.#values.delete(value);
    this.#values.add(value);
    while (this.#values.size > this.capacity) {
      const oldest = this.#values.values().next();
      if (oldest.done === true) break;
      this.#values.delete(oldest.value);
    }
    return this;
  }

  delete(value: T): boolean {
    return this.#values.delete(value);
  }

  has(value: T): boolean {
    return this.#values.has(value);
  }

  /** The values, oldest added first. */
  [Symbol.iterator](): IterableIterator<T> {
    return this.#values.values();
  }
}
