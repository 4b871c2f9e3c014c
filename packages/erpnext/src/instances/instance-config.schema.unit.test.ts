import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKER_TIMEOUT_MS, instanceLimits, timeoutProblems } from './instance-config.schema.js';

const base = { id: 'erp-a', name: 'A', base_url: 'https://erp.example.com', api_key: 'k', api_secret: 's' };

describe('timeoutProblems', () => {
  it('refuses write_timeout_ms <= worker_timeout_ms, given or default', () => {
    expect(timeoutProblems({ ...base, worker_timeout_ms: 10_000, write_timeout_ms: 10_000 })).toEqual([
      {
        path: 'write_timeout_ms',
        message:
          'must be greater than worker_timeout_ms (10000 ms), so that a write the client gives up on has finished or been rolled back on the site',
      },
    ]);
    expect(timeoutProblems({ ...base, write_timeout_ms: DEFAULT_WORKER_TIMEOUT_MS })).toHaveLength(1);
    expect(timeoutProblems({ ...base, worker_timeout_ms: 10_000, write_timeout_ms: 9_000 })).toHaveLength(1);
  });

  it('accepts a longer write timeout, or none (the default is longer)', () => {
    expect(timeoutProblems({ ...base, worker_timeout_ms: 10_000, write_timeout_ms: 10_001 })).toEqual([]);
    expect(timeoutProblems({ ...base, worker_timeout_ms: 500_000 })).toEqual([]);
    expect(timeoutProblems(base)).toEqual([]);
    expect(instanceLimits({ ...base, worker_timeout_ms: 500_000 }).writeTimeoutMs).toBe(510_000);
  });

  it('leaves values of the wrong type to the schema', () => {
    expect(timeoutProblems({ ...base, worker_timeout_ms: 'slow', write_timeout_ms: 1_000 })).toHaveLength(1);
    expect(timeoutProblems({ ...base, write_timeout_ms: '1000' })).toEqual([]);
    expect(timeoutProblems(null)).toEqual([]);
  });
});
