import { describe, expect, it, vi } from 'vitest';

// prom-client's default metrics start an event-loop delay monitor and a GC observer that nothing
// can stop: they must be collected once per process, however many ServiceMetrics it builds.
const collected = vi.hoisted(() => ({ calls: 0 }));
vi.mock('prom-client', async (importOriginal) => {
  const original = await importOriginal<typeof import('prom-client')>();
  return {
    ...original,
    collectDefaultMetrics: (...args: Parameters<typeof original.collectDefaultMetrics>) => {
      collected.calls++;
      return original.collectDefaultMetrics(...args);
    },
  };
});

const { ServiceMetrics } = await import('./service-metrics.js');
const { findSamples, parseExposition } = await import('./parse.js');

describe('the process and Node.js metrics', () => {
  it('are collected once per process and served by every ServiceMetrics that wants them', async () => {
    const services = ['intake', 'tracker', 'po-a', 'pr-b'].map(
      (service) => new ServiceMetrics({ service, defaultMetrics: true }),
    );
    const without = new ServiceMetrics({ service: 'dn-a', defaultMetrics: false });
    expect(collected.calls).toBe(1);

    for (const metrics of services) {
      const samples = parseExposition((await metrics.render()).body);
      expect(findSamples(samples, 'process_cpu_user_seconds_total')).toHaveLength(1);
      expect(findSamples(samples, 'nodejs_heap_size_used_bytes')).toHaveLength(1);
      expect(findSamples(samples, 'interco_build_info')).toEqual([
        expect.objectContaining({ labels: expect.objectContaining({ service: metrics.service }) }),
      ]);
    }
    const samples = parseExposition((await without.render()).body);
    expect(samples.some((sample) => !sample.name.startsWith('interco_'))).toBe(false);
    expect(collected.calls).toBe(1);
  });
});
