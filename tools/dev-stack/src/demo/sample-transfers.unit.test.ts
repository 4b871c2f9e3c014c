import { validateTransferRequest } from '@interco/contracts';
import { describe, expect, it } from 'vitest';
import { demoRunId, missingWarehouse, sampleTransfers } from './sample-transfers.js';

describe('demoRunId', () => {
  it('is upper-case base 36, from the time and two random characters', () => {
    const id = demoRunId(new Date('2026-12-05T15:00:00Z'), () => 0.5);
    expect(id).toMatch(/^[0-9A-Z]{10}$/);
    expect(id.startsWith(new Date('2026-12-05T15:00:00Z').getTime().toString(36).toUpperCase())).toBe(true);
    expect(demoRunId(new Date(0), () => 0)).toBe('000');
  });
});

describe('sampleTransfers', () => {
  const samples = sampleTransfers('RUN1');

  it('are three valid requests between the demo sites, as intake validates them', () => {
    expect(samples.map((s) => [s.key, s.expected])).toEqual([
      ['completes', 'completed'],
      ['fixed', 'completed'],
      ['cancelled', 'cancelled'],
    ]);
    for (const sample of samples) {
      const result = validateTransferRequest(sample.body);
      expect(result.ok, sample.key).toBe(true);
      expect(sample.body).toMatchObject({
        company_a_instance_id: 'company-a',
        company_b_instance_id: 'company-b',
      });
      expect(sample.body.company_a_warehouse).toBe('Stores - CA');
      for (const item of sample.body.items) {
        expect(['PIN-001', 'PIN-002', 'SIM-001']).toContain(item.item_code);
        expect(item.qty).toBe(item.serials.length);
      }
    }
  });

  it('use serials and references of their own, different on every run', () => {
    const serialsOf = (run: string) =>
      sampleTransfers(run).flatMap((s) => s.body.items.flatMap((i) => i.serials));
    const these = serialsOf('RUN1');
    expect(new Set(these).size).toBe(these.length);
    const next = new Set(serialsOf('RUN2'));
    expect(these.filter((serial) => next.has(serial))).toEqual([]);
    expect(new Set(samples.map((s) => s.body.reference)).size).toBe(3);
    expect(samples.every((s) => s.body.reference?.includes('RUN1'))).toBe(true);
  });

  it('(b) names a company B warehouse that its fix adds, and only (b) has a fix', () => {
    const [a, b, c] = samples;
    expect(a?.fix).toBeUndefined();
    expect(c?.fix).toBeUndefined();
    expect(b?.body.company_b_warehouse).toBe(missingWarehouse('RUN1').name);
    expect(b?.body.company_b_warehouse).toBe('Demo Receiving RUN1 - CB');
    expect(b?.fix).toMatchObject({
      site: 'company-b',
      records: [{ doctype: 'Warehouse', warehouse_name: 'Demo Receiving RUN1', company: 'Compania B' }],
    });
  });
});
