import { findSamples, parseExposition, ServiceMetrics } from '@interco/metrics';
import { describe, expect, it } from 'vitest';
import { countRedelivery, reportConsumer } from './consumer-metrics.js';

const samples = async (metrics: ServiceMetrics) => parseExposition((await metrics.render()).body);

describe('reportConsumer', () => {
  it('sets the gauges from the consumer info at scrape time, at most once per interval', async () => {
    const metrics = new ServiceMetrics({ service: 'test', defaultMetrics: false });
    let reads = 0;
    const stop = reportConsumer(
      metrics,
      'step_po_a',
      async () => {
        reads++;
        return { num_pending: 10 * reads, num_ack_pending: reads };
      },
      { minIntervalMs: 60_000 },
    );
    expect(reads).toBe(0);
    let all = await samples(metrics);
    expect(findSamples(all, 'interco_consumer_pending', { consumer: 'step_po_a' })[0]?.value).toBe(10);
    expect(findSamples(all, 'interco_consumer_ack_pending', { consumer: 'step_po_a' })[0]?.value).toBe(1);
    all = await samples(metrics);
    expect(reads).toBe(1);
    expect(findSamples(all, 'interco_consumer_pending', { consumer: 'step_po_a' })[0]?.value).toBe(10);
    stop();
  });

  it('reads again after the interval; a failed read keeps the last values and is tried at the next scrape', async () => {
    const errors: unknown[] = [];
    const metrics = new ServiceMetrics({
      service: 'test',
      defaultMetrics: false,
      onRefreshError: (error) => errors.push(error),
    });
    let fail = false;
    let reads = 0;
    reportConsumer(
      metrics,
      'tracker',
      async () => {
        reads++;
        if (fail) throw new Error('timeout');
        return { num_pending: reads, num_ack_pending: 0 };
      },
      { minIntervalMs: 0 },
    );
    expect(findSamples(await samples(metrics), 'interco_consumer_pending')[0]?.value).toBe(1);
    fail = true;
    expect(findSamples(await samples(metrics), 'interco_consumer_pending')[0]?.value).toBe(1);
    expect(errors).toHaveLength(1);
    fail = false;
    expect(findSamples(await samples(metrics), 'interco_consumer_pending')[0]?.value).toBe(3);
  });
});

describe('countRedelivery', () => {
  it('counts deliveries after the first only', async () => {
    const metrics = new ServiceMetrics({ service: 'test', defaultMetrics: false });
    for (const count of [1, 2, 1, 5]) countRedelivery(metrics, 'step_pr_a', count);
    countRedelivery(undefined, 'step_pr_a', 3);
    expect(
      findSamples(await samples(metrics), 'interco_consumer_redeliveries_total', { consumer: 'step_pr_a' })[0]
        ?.value,
    ).toBe(2);
  });
});

describe('reportConsumer and the redeliveries counter', () => {
  it('makes the consumer’s redeliveries counter exist at 0 from the start', async () => {
    const metrics = new ServiceMetrics({ service: 'test', defaultMetrics: false });
    reportConsumer(metrics, 'tracker', async () => ({ num_pending: 0, num_ack_pending: 0 }));
    expect(
      findSamples(await samples(metrics), 'interco_consumer_redeliveries_total', { consumer: 'tracker' })[0]
        ?.value,
    ).toBe(0);
  });
});
