import { describe, expect, it } from 'vitest';
import { findSamples, parseExposition } from './parse.js';

describe('parseExposition', () => {
  it('reads samples with and without labels, skipping comments', () => {
    const text = [
      '# HELP interco_transfers Transfers by status.',
      '# TYPE interco_transfers gauge',
      'interco_transfers{status="completed"} 3',
      'interco_transfers{status="failed"} 0',
      'process_start_time_seconds 1733400000',
      'interco_step_duration_seconds_bucket{le="+Inf",step="po_a",outcome="done"} 2',
      'odd{v="a \\"quoted\\" \\\\ back\\nslash"} 1.5e-3',
      'nan_value NaN',
      '',
    ].join('\n');
    const samples = parseExposition(text);
    expect(samples).toHaveLength(6);
    expect(findSamples(samples, 'interco_transfers', { status: 'completed' })[0]?.value).toBe(3);
    expect(findSamples(samples, 'process_start_time_seconds')[0]).toEqual({
      name: 'process_start_time_seconds',
      labels: {},
      value: 1733400000,
    });
    expect(findSamples(samples, 'interco_step_duration_seconds_bucket')[0]?.labels.le).toBe('+Inf');
    expect(findSamples(samples, 'odd')[0]).toEqual({
      name: 'odd',
      labels: { v: 'a "quoted" \\ back\nslash' },
      value: 0.0015,
    });
    expect(Number.isNaN(findSamples(samples, 'nan_value')[0]?.value)).toBe(true);
  });

  it('refuses a line that is not a sample', () => {
    expect(() => parseExposition('this is not {a sample')).toThrow(/not a sample line/);
    expect(() => parseExposition('name{a="b"} twelve')).toThrow(/not a sample value/);
  });
});
