import { findSamples, parseExposition, ServiceMetrics } from '@interco/metrics';
import { describe, expect, it } from 'vitest';
import { TRANSFER_STATUSES } from '../queries/counts.js';
import { reportTransferCounts, TRANSFER_COUNT_INTERVAL_MS } from './transfer-counts.js';

const byStatus = (metrics: ServiceMetrics) =>
  metrics
    .render()
    .then(({ body }) =>
      Object.fromEntries(
        findSamples(parseExposition(body), 'interco_transfers').map((s) => [s.labels.status, s.value]),
      ),
    );

describe('reportTransferCounts', () => {
  it('sets every status, 0 included, counting at most once every 15 s', async () => {
    const metrics = new ServiceMetrics({ service: 'tracker', defaultMetrics: false });
    let clock = 0;
    let counts = 0;
    reportTransferCounts(metrics, {
      now: () => clock,
      count: async () => {
        counts++;
        return { ...Object.fromEntries(TRANSFER_STATUSES.map((status) => [status, 0])), completed: counts };
      },
    });
    const first = await byStatus(metrics);
    expect(Object.keys(first).sort()).toEqual([...TRANSFER_STATUSES].sort());
    expect(first.completed).toBe(1);
    expect(first.failed).toBe(0);

    clock += TRANSFER_COUNT_INTERVAL_MS - 1;
    expect((await byStatus(metrics)).completed).toBe(1);
    expect(counts).toBe(1);
    clock += 1;
    expect((await byStatus(metrics)).completed).toBe(2);
    expect(counts).toBe(2);
  });

  it('shares one count between scrapes that come while it runs', async () => {
    const metrics = new ServiceMetrics({ service: 'tracker', defaultMetrics: false });
    let counts = 0;
    let finish: (() => void) | undefined;
    reportTransferCounts(metrics, {
      intervalMs: 0,
      count: async () => {
        counts++;
        await new Promise<void>((resolve) => {
          finish = resolve;
        });
        return { running: 4 };
      },
    });
    const scrapes = [metrics.render(), metrics.render(), metrics.render()];
    await new Promise((resolve) => setTimeout(resolve, 10));
    finish?.();
    const bodies = await Promise.all(scrapes);
    expect(counts).toBe(1);
    for (const { body } of bodies) expect(body).toContain('interco_transfers{status="running"} 4');
  });

  it('keeps the last counts when a count fails, and counts again at the next interval', async () => {
    const metrics = new ServiceMetrics({ service: 'tracker', defaultMetrics: false });
    let fail = false;
    let clock = 0;
    reportTransferCounts(metrics, {
      now: () => clock,
      count: async () => {
        if (fail) throw new Error('MongoDB is not answering');
        return { completed: 7 };
      },
    });
    expect((await byStatus(metrics)).completed).toBe(7);
    fail = true;
    clock += TRANSFER_COUNT_INTERVAL_MS;
    expect((await byStatus(metrics)).completed).toBe(7);
  });

  it('gives up a count that hangs: the last counts stay, the next scrape counts again', async () => {
    const errors: unknown[] = [];
    // The scrape would wait 5 s for a refresher: the count is given up well before.
    const metrics = new ServiceMetrics({
      service: 'tracker',
      defaultMetrics: false,
      refreshTimeoutMs: 5_000,
      onRefreshError: (error) => errors.push(error),
    });
    const limits: number[] = [];
    const late: ((value: Record<string, number>) => void)[] = [];
    let hang = false;
    reportTransferCounts(metrics, {
      intervalMs: 0,
      timeoutMs: 50,
      count: async ({ maxTimeMs }) => {
        limits.push(maxTimeMs);
        if (!hang) return { completed: limits.length };
        return new Promise((resolve) => late.push(resolve));
      },
    });
    expect((await byStatus(metrics)).completed).toBe(1);
    hang = true;
    const started = performance.now();
    expect((await byStatus(metrics)).completed).toBe(1);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(String(errors[0])).toContain('given up');
    // Not stuck behind the hung count: the next scrape starts another.
    expect((await byStatus(metrics)).completed).toBe(1);
    expect(limits).toEqual([50, 50, 50]);
    hang = false;
    expect((await byStatus(metrics)).completed).toBe(4);
    // A count given up that answers after all is dropped: it is older than the last counts.
    for (const resolve of late) resolve({ completed: 99 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    // (the registry as it is, without a scrape's count)
    expect(await metrics.registry.getSingleMetricAsString('interco_transfers')).toContain(
      'interco_transfers{status="completed"} 4',
    );
  });
});
