/**
 * The counts of `GET /v1/transfers/counts` (and of `interco_transfers{status}`, its unfiltered
 * entry) from a cache, never from a scan per request (docs/tracker.md, "Counts"):
 *
 * - one entry per filter, keyed by the filters in a fixed order (a serial by its keyed digest,
 *   never its text), at most `maxEntries` (100): the least recently used entry that is not being
 *   counted is dropped (one being counted never is: asks for it keep sharing its count);
 * - an entry is fresh for `maxAgeMs` (TRACKER_COUNTS_MAX_AGE_MS) from when its count ended,
 *   measured on a monotonic clock (a step of the wall clock changes nothing); `as_of` is the wall
 *   time when the count started;
 * - asks for an entry while it is being counted share that count;
 * - at most `maxRunning` (8) counts run at once, one place kept for the unfiltered entry (the
 *   gauge and the console's bar read it): a filtered entry starts a count only while fewer than
 *   `maxRunning − 1` (7) run. Beyond, an entry with earlier counts answers them, one without is a
 *   CountsUnavailableError of kind `busy`;
 * - a count is given `maxTimeMs` = `timeoutMs` (TRACKER_COUNTS_TIMEOUT_MS) on the server, and is
 *   given up here after that long too (a hung connection); its answer, should it come later, is
 *   dropped. A count that fails or is given up answers the entry's last counts (their older
 *   `as_of` says so); with none, a time-out is a CountsUnavailableError of kind `timed_out`, any
 *   other failure its own error;
 * - after a failed or given-up count, the entry is not counted again for `maxAgeMs` (monotonic
 *   clock): asks meanwhile get its last counts, or with none a CountsUnavailableError
 *   (`timed_out` after a time-out, `failed` after another failure). So a filter whose count always
 *   times out runs one count per `maxAgeMs`, not one scan after another holding a place.
 */
import { withinTime } from '@interco/metrics';
import type { TransferCounts } from '../http/schemas.js';
import type { StatusCounts } from './counts.js';
import type { ListTransfersQuery } from './list-query.schema.js';

/** Default TRACKER_COUNTS_MAX_AGE_MS. */
export const DEFAULT_COUNTS_MAX_AGE_MS = 5_000;
/** Default TRACKER_COUNTS_TIMEOUT_MS. */
export const DEFAULT_COUNTS_TIMEOUT_MS = 10_000;
/** Most filters whose counts are kept. */
export const COUNTS_CACHE_ENTRIES = 100;
/** Most counts running at once. */
export const COUNTS_RUNNING_AT_MOST = 8;

/**
 * The list's filters that counts take (not status, stuck, cursor, limit; the serial apart), in
 * the order of the cache key. The route's query schema (CountTransfersQuery) is built from them.
 */
export const COUNTS_FIELDS = [
  'step',
  'created_from',
  'created_to',
  'instance',
  'company',
  'reference',
] as const;
type CountsField = (typeof COUNTS_FIELDS)[number];

/** The filters counts take. */
export type CountsQuery = Pick<ListTransfersQuery, CountsField>;

/** The fields holding a time: keyed as stored, so that two spellings of one time share an entry. */
const TIME_FIELDS: ReadonlySet<CountsField> = new Set(['created_from', 'created_to']);

/** What is counted: the filters, and a serial's keyed digest when the serial filter is given. */
export interface CountsFilter {
  readonly query: CountsQuery;
  readonly serialDigest?: string | undefined;
}

/** The transfers' counts, unfiltered (the gauge's entry). */
export const UNFILTERED: CountsFilter = { query: {} };

/** A time as stored (toISOString), so that two spellings of one time share an entry. */
function normalTime(text: string | undefined): string | null {
  return text === undefined ? null : new Date(text).toISOString();
}

/**
 * The filter as counted: only the fields counts take (whatever else the object holds: it is
 * keyed by those alone, so it is counted by those alone), and the serial's digest.
 */
export function countsFilterOf(filter: CountsFilter): CountsFilter {
  const query: Record<string, string> = {};
  for (const field of COUNTS_FIELDS) {
    const value = filter.query[field];
    if (value !== undefined) query[field] = value;
  }
  return filter.serialDigest === undefined
    ? { query: query as CountsQuery }
    : { query: query as CountsQuery, serialDigest: filter.serialDigest };
}

/** The cache key of a filter: its filters in a fixed order; the serial only as its digest. */
export function countsKey(filter: CountsFilter): string {
  const { query } = filter;
  return JSON.stringify([
    ...COUNTS_FIELDS.map((field) =>
      TIME_FIELDS.has(field) ? normalTime(query[field]) : (query[field] ?? null),
    ),
    filter.serialDigest ?? null,
  ]);
}

/**
 * No counts to answer for a filter never counted: its count took longer than `timeoutMs`
 * (`timed_out`, also while it is not counted again after that), its last count failed a moment
 * ago (`failed`), or `maxRunning` counts were running already (`busy`: for a filtered entry, the
 * most it may start beside them, one place being kept for the unfiltered one).
 */
export class CountsUnavailableError extends Error {
  override readonly name = 'CountsUnavailableError';
  constructor(
    readonly kind: 'timed_out' | 'failed' | 'busy',
    readonly timeoutMs: number,
    readonly maxRunning: number,
  ) {
    super(
      kind === 'timed_out'
        ? `counting the transfers took longer than ${timeoutMs} ms`
        : kind === 'failed'
          ? 'counting the transfers failed a moment ago'
          : `${maxRunning} counts of the transfers are running already`,
    );
  }
}

/** A count not answered after `timeoutMs`, given up here. */
class CountGivenUp extends Error {
  override readonly name = 'CountGivenUp';
}

/**
 * A count that stopped itself once its time limit had passed (TransferReader's serial counts,
 * made of many reads, check it between them): a time-out like MaxTimeMSExpired.
 */
export class CountTimeLimitExceeded extends Error {
  override readonly name = 'CountTimeLimitExceeded';
  constructor(readonly maxTimeMs: number) {
    super(`the count took longer than its time limit (${maxTimeMs} ms) and was stopped`);
  }
}

/** MongoDB's MaxTimeMSExpired (FerretDB answers it alike). */
const MAX_TIME_MS_EXPIRED = 50;

function timedOut(error: unknown): boolean {
  return (
    error instanceof CountGivenUp ||
    error instanceof CountTimeLimitExceeded ||
    (error as { code?: unknown } | null)?.code === MAX_TIME_MS_EXPIRED
  );
}

export interface CountsCacheOptions {
  /** Counts the transfers that pass the filter, with `maxTimeMs` as the queries' time limit. */
  readonly count: (filter: CountsFilter, limit: { readonly maxTimeMs: number }) => Promise<StatusCounts>;
  /** How long counts stay fresh after their count ended (default DEFAULT_COUNTS_MAX_AGE_MS). */
  readonly maxAgeMs?: number;
  /** How long a count may take (default DEFAULT_COUNTS_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Most entries (default COUNTS_CACHE_ENTRIES). */
  readonly maxEntries?: number;
  /**
   * Most counts running at once (default COUNTS_RUNNING_AT_MOST); a filtered entry starts one only
   * while fewer than `maxRunning − 1` run (one place kept for the unfiltered entry; none when 1).
   */
  readonly maxRunning?: number;
  /** The wall clock in milliseconds (default Date.now): `as_of` only. */
  readonly now?: () => number;
  /** A monotonic clock in milliseconds (default performance.now): freshness. */
  readonly monotonicNow?: () => number;
}

interface Entry {
  /** The last counts and when (monotonic clock) their count ended. */
  last?: { readonly counts: TransferCounts; readonly endedAt: number };
  /** The count under way, shared by every ask meanwhile. */
  counting?: Promise<TransferCounts> | undefined;
  /** The number of the latest count: an answer of an earlier one is dropped. */
  attempt: number;
  /** When (monotonic clock) its last count failed or was given up, and whether it timed out. */
  failed?: { readonly at: number; readonly timedOut: boolean } | undefined;
}

const UNFILTERED_KEY = countsKey(UNFILTERED);

/** The counts cache described above. */
export class CountsCache {
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
  readonly maxEntries: number;
  readonly maxRunning: number;
  readonly #count: CountsCacheOptions['count'];
  readonly #now: () => number;
  readonly #monotonicNow: () => number;
  /** In use order: the first is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  /** How many entries are being counted. */
  #running = 0;

  constructor(options: CountsCacheOptions) {
    this.#count = options.count;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_COUNTS_MAX_AGE_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_COUNTS_TIMEOUT_MS;
    this.maxEntries = options.maxEntries ?? COUNTS_CACHE_ENTRIES;
    this.maxRunning = options.maxRunning ?? COUNTS_RUNNING_AT_MOST;
    this.#now = options.now ?? Date.now;
    this.#monotonicNow = options.monotonicNow ?? (() => performance.now());
  }

  /** The keys held, least recently used first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /** How many counts are running now. */
  get running(): number {
    return this.#running;
  }

  /** The counts of a filter: fresh ones from the cache, else one count (shared), as said above. */
  counts(filter: CountsFilter): Promise<TransferCounts> {
    const key = countsKey(filter);
    const held = this.#entries.get(key);
    if (held !== undefined) {
      this.#touch(key, held);
      const { last, failed } = held;
      const now = this.#monotonicNow();
      if (last !== undefined && now - last.endedAt < this.maxAgeMs) {
        return Promise.resolve(last.counts);
      }
      if (held.counting !== undefined) return held.counting;
      // Backing off after a failure: not counted again before maxAgeMs.
      if (failed !== undefined && now - failed.at < this.maxAgeMs) {
        if (last !== undefined) return Promise.resolve(last.counts);
        const kind = failed.timedOut ? 'timed_out' : 'failed';
        return Promise.reject(new CountsUnavailableError(kind, this.timeoutMs, this.maxRunning));
      }
    }
    const mayRun = key === UNFILTERED_KEY || this.maxRunning <= 1 ? this.maxRunning : this.maxRunning - 1;
    if (this.#running >= mayRun) {
      if (held?.last !== undefined) return Promise.resolve(held.last.counts);
      return Promise.reject(new CountsUnavailableError('busy', this.timeoutMs, mayRun));
    }
    const entry: Entry = held ?? { attempt: 0 };
    if (held === undefined) this.#entries.set(key, entry);
    const counting = this.#countNow(entry, countsFilterOf(filter));
    entry.counting = counting;
    this.#trim(); // after: the entry being counted is never the one dropped
    return counting;
  }

  /** Makes an entry the most recently used. */
  #touch(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  /**
   * Drops the least recently used entries that are not being counted until at most maxEntries
   * are held (more are held while every other one is being counted: trimmed when a count ends).
   */
  #trim(): void {
    if (this.#entries.size <= this.maxEntries) return;
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.maxEntries) return;
      if (entry.counting === undefined) this.#entries.delete(key);
    }
  }

  async #countNow(entry: Entry, filter: CountsFilter): Promise<TransferCounts> {
    this.#running++;
    const startedAt = this.#now();
    const attempt = ++entry.attempt;
    // (a count that throws at once rejects like one that fails later)
    const counted = new Promise<StatusCounts>((resolve) =>
      resolve(this.#count(filter, { maxTimeMs: this.timeoutMs })),
    ).then((counts) => {
      const taken: TransferCounts = { ...counts, as_of: new Date(startedAt).toISOString() };
      if (attempt === entry.attempt) {
        entry.last = { counts: taken, endedAt: this.#monotonicNow() };
        entry.failed = undefined;
      }
      return taken;
    });
    // A count given up may still fail later: nobody waits for it any more.
    counted.catch(() => undefined);
    try {
      return await withinTime(
        () => counted,
        this.timeoutMs,
        () => new CountGivenUp(),
      );
    } catch (error) {
      if (attempt === entry.attempt) {
        entry.attempt++; // its answer, should it come, is dropped
        entry.failed = { at: this.#monotonicNow(), timedOut: timedOut(error) };
      }
      if (entry.last !== undefined) return entry.last.counts;
      if (timedOut(error)) throw new CountsUnavailableError('timed_out', this.timeoutMs, this.maxRunning);
      throw error;
    } finally {
      entry.counting = undefined;
      this.#running--;
      this.#trim();
    }
  }
}
