/**
 * `interco_transfers{status}` from the read model: counted when the metrics are scraped, at most
 * once per interval (15 s by default) however often, and by however many scrapers, it is asked;
 * between counts a scrape answers the last one. Every status is set, 0 included.
 *
 * A count is bounded: the query is given `maxTimeMs` (MongoDB's maxTimeMS), and a count that has
 * not answered after that long (a hung connection) is given up: the gauge keeps the last counts,
 * and the next scrape once the interval has passed counts again. An answer that comes after it
 * was given up is dropped (it is older than the counts that may have come since).
 */
import type { ServiceMetrics } from '@interco/metrics';

/** The least time between two counts of the read model. */
export const TRANSFER_COUNT_INTERVAL_MS = 15_000;
/** How long a count may take before it is given up. */
export const TRANSFER_COUNT_TIMEOUT_MS = 10_000;

export interface TransferCountsOptions {
  /**
   * How many transfers per status (every status, 0 included): TransferReader.counts().by_status,
   * with `maxTimeMs` as the query's time limit.
   */
  readonly count: (limit: { readonly maxTimeMs: number }) => Promise<Readonly<Record<string, number>>>;
  /** Least time between counts (default TRANSFER_COUNT_INTERVAL_MS). */
  readonly intervalMs?: number;
  /** How long a count may take (default TRANSFER_COUNT_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Milliseconds of a monotonic clock (default performance.now). */
  readonly now?: () => number;
}

/** Sets the gauge at scrape time, as said above; answers a function that stops it. */
export function reportTransferCounts(
  metrics: Pick<ServiceMetrics, 'onScrape' | 'setTransfers'>,
  options: TransferCountsOptions,
): () => void {
  const intervalMs = options.intervalMs ?? TRANSFER_COUNT_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? TRANSFER_COUNT_TIMEOUT_MS;
  const now = options.now ?? (() => performance.now());
  let lastStarted = Number.NEGATIVE_INFINITY;
  let counting: Promise<void> | undefined;
  let current = 0;
  return metrics.onScrape(() => {
    if (counting !== undefined) return counting;
    if (now() - lastStarted < intervalMs) return undefined;
    lastStarted = now();
    const attempt = ++current;
    let timer: NodeJS.Timeout | undefined;
    const givenUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        current++; // its answer, should it come, is dropped
        reject(new Error(`counting the transfers took more than ${timeoutMs} ms: given up`));
      }, timeoutMs);
    });
    const counted = options.count({ maxTimeMs: timeoutMs }).then((byStatus) => {
      if (attempt === current) metrics.setTransfers(byStatus);
    });
    counting = Promise.race([counted, givenUp]).finally(() => {
      clearTimeout(timer);
      counting = undefined;
    });
    // A count given up may still fail later: nobody waits for it any more.
    counted.catch(() => undefined);
    return counting;
  });
}
