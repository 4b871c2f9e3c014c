/**
 * `interco_transfers{status}` from the read model: counted when the metrics are scraped, at most
 * once per interval (15 s by default) however often, and by however many scrapers, it is asked;
 * between counts a scrape answers the last one. Every status is set, 0 included.
 */
import type { ServiceMetrics } from '@interco/metrics';

/** The least time between two counts of the read model. */
export const TRANSFER_COUNT_INTERVAL_MS = 15_000;

export interface TransferCountsOptions {
  /** How many transfers per status (every status, 0 included): TransferReader.counts().by_status. */
  readonly count: () => Promise<Readonly<Record<string, number>>>;
  /** Least time between counts (default TRANSFER_COUNT_INTERVAL_MS). */
  readonly intervalMs?: number;
  /** Milliseconds of a monotonic clock (default performance.now). */
  readonly now?: () => number;
}

/** Sets the gauge at scrape time, as said above; answers a function that stops it. */
export function reportTransferCounts(
  metrics: Pick<ServiceMetrics, 'onScrape' | 'setTransfers'>,
  options: TransferCountsOptions,
): () => void {
  const intervalMs = options.intervalMs ?? TRANSFER_COUNT_INTERVAL_MS;
  const now = options.now ?? (() => performance.now());
  let lastStarted = Number.NEGATIVE_INFINITY;
  let counting: Promise<void> | undefined;
  return metrics.onScrape(() => {
    if (counting !== undefined) return counting;
    if (now() - lastStarted < intervalMs) return undefined;
    lastStarted = now();
    counting = options
      .count()
      .then((byStatus) => metrics.setTransfers(byStatus))
      .finally(() => {
        counting = undefined;
      });
    return counting;
  });
}
