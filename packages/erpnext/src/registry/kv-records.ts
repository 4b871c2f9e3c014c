/**
 * What the stores of sealed records (the instance registry, the data keys) do alike over their KV
 * bucket during a rotation of INTERCO_SECRET_KEY: re-seal every record with the current key and
 * count which key of the ring the records need.
 */
import type { KV, KvEntry } from '@nats-io/kv';
import { isWrongLastSequence } from './kv-errors.js';
import { countKeyUsage, emptyKeyUsage, type KeyUsage, type SealingKey } from './secret-box.js';

/**
 * What one re-seal did: records sealed again with the current key, records already so, records
 * that could not be read (left as they are).
 */
export interface ResealCounts {
  resealed: number;
  unchanged: number;
  unreadable: number;
}

/** The keys of a bucket (the records held, not removed ones), read at once. */
export async function keysOf(kv: KV): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys()) keys.push(key);
  return keys;
}

export interface ResealRecords<T> {
  /**
   * The record sealed again with the current key, or undefined when it already is. Throws when
   * the record cannot be read (its message names the record, never its content): counted
   * `unreadable`, told to `onUnreadable`, left as it is.
   */
  readonly resealed: (entry: KvEntry) => T | undefined;
  /** Tries of one record's compare-and-set before giving up. */
  readonly attempts: number;
  /** The error when a record kept changing for `attempts` tries (a conflict: run it again). */
  readonly conflict: (key: string) => Error;
  readonly onUnreadable?: ((key: string, reason: string) => void) | undefined;
}

/**
 * Re-seals every record of the bucket, each rewritten (as JSON) with compare-and-set: a
 * concurrent change wins and the record is read again. A write that fails otherwise throws its
 * own error at once. Counts only.
 */
export async function resealRecords<T>(kv: KV, options: ResealRecords<T>): Promise<ResealCounts> {
  const counts: ResealCounts = { resealed: 0, unchanged: 0, unreadable: 0 };
  for (const key of await keysOf(kv)) {
    for (let attempt = 1; ; attempt++) {
      const entry = await kv.get(key);
      if (entry === null || entry.operation !== 'PUT') break;
      let next: T | undefined;
      try {
        next = options.resealed(entry);
      } catch (error) {
        counts.unreadable++;
        options.onUnreadable?.(key, (error as Error).message);
        break;
      }
      if (next === undefined) {
        counts.unchanged++;
        break;
      }
      try {
        await kv.update(key, JSON.stringify(next), entry.revision);
        counts.resealed++;
        break;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
        if (attempt >= options.attempts) throw options.conflict(key);
      }
    }
  }
  return counts;
}

/**
 * How many records of the bucket need which key of the ring (counts only). `needs` tells the key
 * of one record (undefined: none of the ring); it throws when the record cannot be read: counted
 * `unreadable`.
 */
export async function keyUsageOf(
  kv: KV,
  needs: (entry: KvEntry) => SealingKey | undefined,
): Promise<KeyUsage> {
  const usage = emptyKeyUsage();
  for (const key of await keysOf(kv)) {
    const entry = await kv.get(key);
    if (entry === null || entry.operation !== 'PUT') continue;
    let needed: SealingKey | undefined;
    try {
      needed = needs(entry);
    } catch {
      countKeyUsage(usage, 'unreadable');
      continue;
    }
    countKeyUsage(usage, needed);
  }
  return usage;
}
