/**
 * A durable consumer in the metrics: `interco_consumer_pending` and `interco_consumer_ack_pending`
 * read from its info at scrape time (at most once a second, however often it is scraped), and
 * `interco_consumer_redeliveries_total` (0 from the start) counted from the delivery count of
 * each message received.
 */
import type { ServiceMetrics } from '@interco/metrics';
import type { ConsumerInfo } from '@nats-io/jetstream';

export type ConsumerMetrics = Pick<ServiceMetrics, 'onScrape' | 'consumerCounts' | 'consumerRedelivered'>;

export interface ReportConsumerOptions {
  /** A scrape sooner than this after the last read keeps the values read then (default 1 s). */
  readonly minIntervalMs?: number;
}

/**
 * Reads `info()` (e.g. a JetStream Consumer's, or `jsm.consumers.info(stream, name)`) when the
 * metrics are scraped and sets the consumer's gauges; a read that fails leaves the last values
 * (the scrape goes on). Answers a function that stops it.
 */
export function reportConsumer(
  metrics: ConsumerMetrics,
  consumer: string,
  info: () => Promise<Pick<ConsumerInfo, 'num_pending' | 'num_ack_pending'>>,
  options: ReportConsumerOptions = {},
): () => void {
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  // The redeliveries counter exists from the start, at 0, so that rate() sees its first increase.
  metrics.consumerRedelivered(consumer, 0);
  let lastRead = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;
  return metrics.onScrape(() => {
    if (reading !== undefined) return reading;
    if (performance.now() - lastRead < minIntervalMs) return undefined;
    reading = (async () => {
      try {
        const current = await info();
        lastRead = performance.now();
        metrics.consumerCounts(consumer, {
          pending: current.num_pending,
          ackPending: current.num_ack_pending,
        });
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  });
}

/** Counts a message received with a delivery count above 1 (a redelivery). */
export function countRedelivery(
  metrics: Pick<ServiceMetrics, 'consumerRedelivered'> | undefined,
  consumer: string,
  deliveryCount: number,
): void {
  if (deliveryCount > 1) metrics?.consumerRedelivered(consumer);
}
