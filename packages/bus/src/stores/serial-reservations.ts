import { isWrongLastSequence } from '@interco/erpnext';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { BusNames } from '../names.js';
import { forEachLimited } from './pool.js';

/**
 * What the holder of a reservation is now: `active` (requested, running, cancelling: keeps its
 * serials), `inactive` (completed or cancelled: its reservations are leftovers), `unknown` (no
 * record: an intake that crashed mid-request, or one still writing it).
 */
export type HolderState = 'active' | 'inactive' | 'unknown';

export interface SerialReservationsOptions {
  /** The state of a holding transfer (intake reads its record). Asked once per holder per call. */
  holderState: (transferId: string) => Promise<HolderState>;
  /** How old a reservation of an `unknown` holder must be to be taken over (default 10 min). */
  staleAfterMs?: number;
  /** Most KV requests in flight in one call (default 256). */
  concurrency?: number;
  now?: () => number;
}

export type ReserveResult = { ok: true } | { ok: false; conflicts: { digest: string; holder: string }[] };

export const DEFAULT_STALE_AFTER_MS = 10 * 60 * 1000;
export const DEFAULT_RESERVATION_CONCURRENCY = 256;

/** Reads and compare-and-set tries on one key before it counts as held by its last holder. */
const KEY_ATTEMPTS = 5;

/** Who holds a reservation: the transfer, and the generation of that transfer that reserved it. */
export interface Holding {
  transferId: string;
  generation: number;
}

/**
 * A reservation's value: `<transfer id>@<generation>`. A value without `@` (written before
 * reservations carried a generation) is generation 1.
 */
export function reservationValue(transferId: string, generation: number): string {
  return `${transferId}@${generation}`;
}

export function parseReservationValue(value: string): Holding {
  const at = value.lastIndexOf('@');
  if (at < 0) return { transferId: value, generation: 1 };
  const generation = Number(value.slice(at + 1));
  return Number.isSafeInteger(generation) && generation >= 1
    ? { transferId: value.slice(0, at), generation }
    : { transferId: value, generation: 1 };
}

function checkGeneration(generation: number): number {
  if (!Number.isSafeInteger(generation) || generation < 1) {
    throw new RangeError(`a reservation's generation is an integer from 1, not ${generation}`);
  }
  return generation;
}

/**
 * Serial reservations: a serial is in at most one active transfer. KV `<prefix>_serials`, key =
 * the serial's keyed digest (SerialDigester), value = `<holding transfer id>@<generation>` (the
 * generation of the transfer that reserved it: 1 at request, the cancel's when a cancel of a
 * completed transfer takes its serials back). See docs/pipeline.md, "Serial reservations".
 */
export class SerialReservations {
  readonly #staleAfterMs: number;
  readonly #concurrency: number;
  readonly #holderState: (transferId: string) => Promise<HolderState>;
  readonly #now: () => number;

  private constructor(
    /** The bucket (for tests and tools). */
    readonly kv: KV,
    options: SerialReservationsOptions,
  ) {
    this.#holderState = options.holderState;
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.#concurrency = Math.max(1, options.concurrency ?? DEFAULT_RESERVATION_CONCURRENCY);
    this.#now = options.now ?? Date.now;
  }

  static async open(
    nc: NatsConnection,
    names: BusNames,
    options: SerialReservationsOptions,
  ): Promise<SerialReservations> {
    const kv = await new Kvm(nc).create(names.buckets.serials, { history: 1, storage: 'file' });
    return new SerialReservations(kv, options);
  }

  /**
   * Reserves every digest for `transferId` at `generation` (default 1), or none. Keys are
   * created many at once; a key held by this transfer at this generation or a later one is fine
   * (a repeated call); one it holds at an earlier generation is written again at this one (a
   * cancel of a completed transfer taking its serials back: the release of the completed
   * generation then leaves it alone); a key held by another is taken over when its holder is
   * `inactive`, or `unknown` and the reservation older than `staleAfterMs`; otherwise it is a
   * conflict. On a conflict every key this call wrote is released again (only while it still
   * holds what this call wrote) and the conflicts are answered: after the first one, the
   * remaining digests are only looked at, so that every conflict is named without taking keys
   * that would be released at once. Other errors release what was written and are thrown.
   */
  async reserve(transferId: string, digests: readonly string[], generation = 1): Promise<ReserveResult> {
    checkGeneration(generation);
    const value = reservationValue(transferId, generation);
    const unique = [...new Set(digests)];
    const taken = new Map<string, number>();
    const conflicts: { digest: string; holder: string }[] = [];
    const states = new Map<string, Promise<HolderState>>();
    const stateOf = (holder: string): Promise<HolderState> => {
      let state = states.get(holder);
      if (state === undefined) {
        state = this.#holderState(holder);
        states.set(holder, state);
      }
      return state;
    };
    const replaceable = async (entry: KvEntry, holder: string): Promise<boolean> => {
      const state = await stateOf(holder);
      return (
        state === 'inactive' ||
        (state === 'unknown' && this.#now() - entry.created.getTime() > this.#staleAfterMs)
      );
    };

    // Write first (one request for a free key) while most keys turn out free; read first (no
    // failed write) once most turn out written before: serials reserved again after a release
    // (a delete marker) or held by another transfer.
    let free = 0;
    let written = 0;
    const reserveOne = async (digest: string): Promise<void> => {
      let lastHolder: string | undefined;
      /** The revision the key must be at for this call to write it (0: no entry at all). */
      const readFirst = written > free;
      let expected: number | undefined = readFirst ? undefined : 0;
      for (let attempt = 1; attempt <= KEY_ATTEMPTS; attempt++) {
        if (expected !== undefined && conflicts.length === 0) {
          try {
            // `put` with `previousSeq` rather than `create`: create reads the key again itself
            // on a clash, a request this loop does anyway.
            taken.set(digest, await this.kv.put(digest, value, { previousSeq: expected }));
            if (!readFirst && attempt === 1) free++;
            return;
          } catch (error) {
            if (!isWrongLastSequence(error)) throw error;
            if (!readFirst && attempt === 1) written++;
          }
        }
        const entry = await this.kv.get(digest);
        if (readFirst && attempt === 1) {
          if (entry === null) free++;
          else written++;
        }
        if (entry === null || entry.operation !== 'PUT') {
          if (conflicts.length > 0) return; // free: no conflict to name
          expected = entry?.revision ?? 0; // released (or never written): take it at that revision
          continue;
        }
        const held = parseReservationValue(entry.string());
        const holder = held.transferId;
        lastHolder = holder;
        if (holder === transferId) {
          if (held.generation >= generation) return; // ours already
          if (conflicts.length > 0) return;
          expected = entry.revision; // ours, of an earlier generation: write it at this one
          continue;
        }
        if (!(await replaceable(entry, holder))) {
          conflicts.push({ digest, holder });
          return;
        }
        if (conflicts.length > 0) return; // would be taken over, but the call fails anyway
        expected = entry.revision;
      }
      // Other writers kept changing this key: it is held, by whoever wrote it last.
      conflicts.push({ digest, holder: lastHolder ?? (await this.holder(digest)) ?? 'unknown' });
    };

    try {
      await forEachLimited(unique, this.#concurrency, reserveOne);
    } catch (error) {
      await this.#releaseTaken(transferId, generation, taken);
      throw error;
    }
    if (conflicts.length === 0) return { ok: true };
    await this.#releaseTaken(transferId, generation, taken);
    return { ok: false, conflicts };
  }

  /**
   * Releases the digests held by `transferId`; answers how many were released. A key held by
   * another transfer is left alone, and so is one this transfer holds at a generation after
   * `throughGeneration` (default: any): the lifecycle releases what a transfer held when it
   * completed or was cancelled, never what a later cancel took back meanwhile. Compare-and-set
   * on the revision read, so a key written again since is left alone too.
   */
  async release(
    transferId: string,
    digests: readonly string[],
    options: { throughGeneration?: number } = {},
  ): Promise<number> {
    const through = options.throughGeneration ?? Number.POSITIVE_INFINITY;
    let released = 0;
    await forEachLimited([...new Set(digests)], this.#concurrency, async (digest) => {
      const entry = await this.kv.get(digest);
      if (entry === null || entry.operation !== 'PUT') return;
      const held = parseReservationValue(entry.string());
      if (held.transferId !== transferId || held.generation > through) return;
      if (await this.#deleteAt(digest, entry.revision)) released++;
    });
    return released;
  }

  /** The transfer holding a digest; undefined when free. */
  async holder(digest: string): Promise<string | undefined> {
    return (await this.holding(digest))?.transferId;
  }

  /** The transfer holding a digest and the generation it reserved it at; undefined when free. */
  async holding(digest: string): Promise<Holding | undefined> {
    const entry = await this.kv.get(digest);
    return entry !== null && entry.operation === 'PUT' ? parseReservationValue(entry.string()) : undefined;
  }

  /** Releases what one reserve call wrote: each key only at the revision this call wrote. */
  async #releaseTaken(
    transferId: string,
    generation: number,
    taken: ReadonlyMap<string, number>,
  ): Promise<void> {
    await forEachLimited([...taken], this.#concurrency, async ([digest, revision]) => {
      if (!(await this.#deleteAt(digest, revision))) {
        // Changed since (taken over by another reserve): release only if it is still as this
        // call wrote it (this transfer, this generation at most).
        await this.release(transferId, [digest], { throughGeneration: generation });
      }
    });
  }

  /** Deletes a key if its last revision is `revision`; false when someone wrote it since. */
  async #deleteAt(digest: string, revision: number): Promise<boolean> {
    try {
      await this.kv.delete(digest, { previousSeq: revision });
      return true;
    } catch (error) {
      if (isWrongLastSequence(error)) return false;
      throw error;
    }
  }
}
