import { findSamples, parseExposition, ServiceMetrics } from '@interco/metrics';
import { describe, expect, it } from 'vitest';
import { noTransfers, TRANSFER_STATUSES } from '../queries/counts.js';
import { CountsCache, countsKey, UNFILTERED } from '../queries/counts-cache.js';
import { reportTransferCounts } from './transfer-counts.js';

const byStatus = (metrics: ServiceMetrics) =>
  metrics
    .render()
    .then(({ body }) =>
      Object.fromEntries(
        findSamples(parseExposition(body), 'interco_transfers').map((s) => [s.labels.status, s.value]),
      ),
    );

describe('reportTransferCounts', () => {
  it('sets every status, 0 included, from the counts cache’s unfiltered entry (counted once per maxAgeMs)', async () => {
    const metrics = new ServiceMetrics({ service: 'tracker', defaultMetrics: false });
    let clock = 0;
    const keys: string[] = [];
    const cache = new CountsCache({
      maxAgeMs: 5_000,
      monotonicNow: () => clock,
      count: async (filter) => {
        keys.push(countsKey(filter));
        return { total: keys.length, by_status: { ...noTransfers(), completed: keys.length }, stuck: 0 };
      },
    });
    reportTransferCounts(metrics, () => cache.counts(UNFILTERED));
    const first = await byStatus(metrics);
    expect(Object.keys(first).sort()).toEqual([...TRANSFER_STATUSES].sort());
    expect(first.completed).toBe(1);
    expect(first.failed).toBe(0);
    clock += 4_999;
    expect((await byStatus(metrics)).completed).toBe(1);
    // the console's unfiltered counts are the same entry
    await cache.counts({ query: {} });
    expect(keys).toEqual([countsKey(UNFILTERED)]);
    clock += 1;
    expect((await byStatus(metrics)).completed).toBe(2);
  });

  it('keeps the gauge as it was when the counts fail', async () => {
    const errors: unknown[] = [];
    const metrics = new ServiceMetrics({
      service: 'tracker',
      defaultMetrics: false,
      onRefreshError: (error) => errors.push(error),
    });
    let fail = false;
    reportTransferCounts(metrics, async () => {
      if (fail) throw new Error('counts unavailable');
      return { by_status: { completed: 7 } };
    });
    expect((await byStatus(metrics)).completed).toBe(7);
    fail = true;
    expect((await byStatus(metrics)).completed).toBe(7);
    expect(String(errors[0])).toContain('counts unavailable');
  });

  it('a count that hangs is given up by the cache: the last counts stay, the next scrape counts again', async () => {
    const metrics = new ServiceMetrics({
      service: 'tracker',
      defaultMetrics: false,
      refreshTimeoutMs: 5_000,
    });
    let hang = false;
    let counts = 0;
    const cache = new CountsCache({
      maxAgeMs: 0,
      timeoutMs: 50,
      count: async () => {
        counts++;
        if (hang) return new Promise(() => undefined);
        return { total: counts, by_status: { completed: counts }, stuck: 0 };
      },
    });
    reportTransferCounts(metrics, () => cache.counts(UNFILTERED));
    expect((await byStatus(metrics)).completed).toBe(1);
    hang = true;
    const started = performance.now();
    expect((await byStatus(metrics)).completed).toBe(1);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect((await byStatus(metrics)).completed).toBe(1);
    hang = false;
    expect((await byStatus(metrics)).completed).toBe(4);
  });
});
