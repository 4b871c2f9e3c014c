/**
 * The counts of `GET /v1/transfers/counts` (and of `interco_transfers{status}`, its unfiltered
 * entry) from a cache, never from a scan per request (docs/tracker.md, "Counts"):
 *
 * - one entry per filter, keyed by the filters in a fixed order (a serial by its keyed digest,
 *   never its text), at most `maxEntries` (100; the least recently used is dropped);
 * - an entry is fresh for `maxAgeMs` (TRACKER_COUNTS_MAX_AGE_MS) from when its count started;
 * - asks for an entry while it is being counted share that count;
 * - a count is given `maxTimeMs` = `timeoutMs` (TRACKER_COUNTS_TIMEOUT_MS) on the server, and is
 *   given up here after that long too (a hung connection); its answer, should it come later, is
 *   dropped. A count that fails or is given up answers the entry's last counts (their older
 *   `as_of` says so); with none, a time-out is a CountsUnavailableError, any other failure
 *   its own error.
 */
import type { TransferCounts } from '../http/schemas.js';
import type { StatusCounts } from './counts.js';
import type { ListTransfersQuery } from './list-query.schema.js';

/** Default TRACKER_COUNTS_MAX_AGE_MS. */
export const DEFAULT_COUNTS_MAX_AGE_MS = 5_000;
/** Default TRACKER_COUNTS_TIMEOUT_MS. */
export const DEFAULT_COUNTS_TIMEOUT_MS = 10_000;
/** Most filters whose counts are kept. */
export const COUNTS_CACHE_ENTRIES = 100;

/** The list's filters that counts take (not status, stuck, cursor, limit; the serial apart). */
export type CountsQuery = Pick<
  ListTransfersQuery,
  'step' | 'created_from' | 'created_to' | 'instance' | 'company' | 'reference'
>;

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

const COUNTS_FIELDS = ['step', 'created_from', 'created_to', 'instance', 'company', 'reference'] as const;

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
    query.step ?? null,
    normalTime(query.created_from),
    normalTime(query.created_to),
    query.instance ?? null,
    query.company ?? null,
    query.reference ?? null,
    filter.serialDigest ?? null,
  ]);
}

/** No counts to answer: the count took longer than `timeoutMs` and this filter was never counted. */
export class CountsUnavailableError extends Error {
  override readonly name = 'CountsUnavailableError';
  readonly kind = 'timed_out';
  constructor(readonly timeoutMs: number) {
    super(`counting the transfers took longer than ${timeoutMs} ms`);
  }
}

/** A count not answered after `timeoutMs`, given up here. */
class CountGivenUp extends Error {
  override readonly name = 'CountGivenUp';
}

/** MongoDB's MaxTimeMSExpired (FerretDB answers it alike). */
const MAX_TIME_MS_EXPIRED = 50;

function timedOut(error: unknown): boolean {
  return error instanceof CountGivenUp || (error as { code?: unknown } | null)?.code === MAX_TIME_MS_EXPIRED;
}

export interface CountsCacheOptions {
  /** Counts the transfers that pass the filter, with `maxTimeMs` as the queries' time limit. */
  readonly count: (filter: CountsFilter, limit: { readonly maxTimeMs: number }) => Promise<StatusCounts>;
  /** How long counts stay fresh (default DEFAULT_COUNTS_MAX_AGE_MS). */
  readonly maxAgeMs?: number;
  /** How long a count may take (default DEFAULT_COUNTS_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Most entries (default COUNTS_CACHE_ENTRIES). */
  readonly maxEntries?: number;
  /** The wall clock in milliseconds (default Date.now): freshness and `as_of`. */
  readonly now?: () => number;
}

interface Entry {
  /** The last counts and when their count started. */
  last?: { readonly counts: TransferCounts; readonly takenAt: number };
  /** The count under way, shared by every ask meanwhile. */
  counting?: Promise<TransferCounts> | undefined;
  /** The number of the latest count: an answer of an earlier one is dropped. */
  attempt: number;
}

/** The counts cache described above. */
export class CountsCache {
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
  readonly maxEntries: number;
  readonly #count: CountsCacheOptions['count'];
  readonly #now: () => number;
  /** In use order: the first is the least recently used. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: CountsCacheOptions) {
    this.#count = options.count;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_COUNTS_MAX_AGE_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_COUNTS_TIMEOUT_MS;
    this.maxEntries = options.maxEntries ?? COUNTS_CACHE_ENTRIES;
    this.#now = options.now ?? Date.now;
  }

  /** The keys held, least recently used first. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /** The counts of a filter: fresh ones from the cache, else one count (shared), as said above. */
  counts(filter: CountsFilter): Promise<TransferCounts> {
    const entry = this.#use(countsKey(filter));
    const { last } = entry;
    if (last !== undefined && this.#now() - last.takenAt < this.maxAgeMs) return Promise.resolve(last.counts);
    entry.counting ??= this.#countNow(entry, countsFilterOf(filter));
    return entry.counting;
  }

  /** The entry of a key, made the most recently used (made, and the oldest dropped, when new). */
  #use(key: string): Entry {
    const entry = this.#entries.get(key) ?? { attempt: 0 };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.maxEntries) {
      const [oldest] = this.#entries.keys();
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return entry;
  }

  async #countNow(entry: Entry, filter: CountsFilter): Promise<TransferCounts> {
    const takenAt = this.#now();
    const attempt = ++entry.attempt;
    let timer: NodeJS.Timeout | undefined;
    const givenUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CountGivenUp()), this.timeoutMs);
    });
    // (a count that throws at once rejects like one that fails later)
    const counted = new Promise<StatusCounts>((resolve) =>
      resolve(this.#count(filter, { maxTimeMs: this.timeoutMs })),
    ).then((counts) => {
      const taken: TransferCounts = { ...counts, as_of: new Date(takenAt).toISOString() };
      if (attempt === entry.attempt) entry.last = { counts: taken, takenAt };
      return taken;
    });
    // A count given up may still fail later: nobody waits for it any more.
    counted.catch(() => undefined);
    try {
      return await Promise.race([counted, givenUp]);
    } catch (error) {
      if (attempt === entry.attempt) entry.attempt++; // its answer, should it come, is dropped
      if (entry.last !== undefined) return entry.last.counts;
      if (timedOut(error)) throw new CountsUnavailableError(this.timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
      entry.counting = undefined;
    }
  }
}
