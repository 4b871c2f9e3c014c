/**
 * `interco_transfers{status}` from the read model: set when the metrics are scraped, from the
 * counts cache's unfiltered entry (queries/counts-cache.ts). The cache bounds the work: it counts
 * at most once per TRACKER_COUNTS_MAX_AGE_MS however often, and by however many scrapers (and
 * console pages), it is asked; a count that takes longer than TRACKER_COUNTS_TIMEOUT_MS is given
 * up and the last counts are answered. A scrape whose counts fail leaves the gauge as it was.
 * Every status is set, 0 included.
 */
import type { ServiceMetrics } from '@interco/metrics';
import type { TransferCounts } from '../http/schemas.js';

/** Sets the gauge at scrape time from `counts` (the cache's unfiltered entry); answers a function that stops it. */
export function reportTransferCounts(
  metrics: Pick<ServiceMetrics, 'onScrape' | 'setTransfers'>,
  counts: () => Promise<Pick<TransferCounts, 'by_status'>>,
): () => void {
  return metrics.onScrape(async () => {
    metrics.setTransfers((await counts()).by_status);
  });
}
