import { describe, expect, it } from 'vitest';
import { ErpnextConfigError } from '../errors/config-error.js';
import type { InstanceConfig } from '../instances/instance-config.schema.js';
import { resolveInstance } from './instance-settings.js';

const SECRET = 'very-secret-42';
const config = (overrides: Partial<InstanceConfig> = {}): InstanceConfig => ({
  id: 'company-a',
  name: 'Compania A',
  base_url: 'https://erp.example.com',
  api_key: 'key-a',
  api_secret: SECRET,
  ...overrides,
});

function refusal(c: InstanceConfig): ErpnextConfigError {
  try {
    resolveInstance(c);
  } catch (error) {
    if (error instanceof ErpnextConfigError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('resolveInstance', () => {
  it('splits the base URL into origin and base path, and applies the default limits', () => {
    const settings = resolveInstance(config({ base_url: 'http://127.0.0.1:8000/erp/' }));
    expect(settings).toMatchObject({
      origin: 'http://127.0.0.1:8000',
      basePath: '/erp',
      instanceId: 'company-a',
    });
    expect(settings.limits).toEqual({
      workerTimeoutMs: 120_000,
      writeTimeoutMs: 130_000,
      readTimeoutMs: 30_000,
      maxInFlight: 4,
    });
    expect(resolveInstance(config()).basePath).toBe('');
  });

  it.each([
    ['not a url', 'is not a valid URL'],
    ['ftp://erp.example.com', 'must use http or https'],
    ['http://admin:hunter2@erp.example.com', 'must not contain credentials'],
    ['https://erp.example.com/?x=1', 'must not have a query or fragment'],
    ['', 'is required'],
  ])('refuses base_url %j with a clear message', (baseUrl, message) => {
    const error = refusal(config({ base_url: baseUrl }));
    expect(error.message).toContain('instance "company-a"');
    expect(error.message).toContain('base_url');
    expect(error.message).toContain(message);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses credentials Frappe could never accept, without echoing them', () => {
    const error = refusal(config({ api_secret: 'has space', api_key: 'a:b' }));
    expect(error.problems.map((p) => p.path).sort()).toEqual(['api_key', 'api_secret']);
    expect(error.message).not.toContain('has space');
  });

  it('refuses a write timeout not greater than the worker timeout, naming write_timeout_ms', () => {
    const equal = refusal(config({ worker_timeout_ms: 60_000, write_timeout_ms: 60_000 }));
    expect(equal.problems).toEqual([
      {
        path: 'write_timeout_ms',
        message:
          'must be greater than worker_timeout_ms (60000 ms), so that a write the client gives up on has finished or been rolled back on the site',
      },
    ]);
    expect(equal.message).toContain(
      'instance "company-a": invalid configuration: write_timeout_ms: must be greater',
    );
    expect(refusal(config({ worker_timeout_ms: 5_000, write_timeout_ms: 2_000 })).problems[0]?.path).toBe(
      'write_timeout_ms',
    );
    // against the default worker timeout (120 s) when none is given
    const short = refusal(config({ write_timeout_ms: 30_000 }));
    expect(short.problems[0]?.message).toContain('the default worker_timeout_ms (120000 ms)');
  });

  it('accepts a write timeout greater than the worker timeout, and defaults that always are', () => {
    expect(
      resolveInstance(config({ worker_timeout_ms: 1_000, write_timeout_ms: 1_001 })).limits,
    ).toMatchObject({
      workerTimeoutMs: 1_000,
      writeTimeoutMs: 1_001,
    });
    expect(resolveInstance(config({ worker_timeout_ms: 300_000 })).limits.writeTimeoutMs).toBe(310_000);
    expect(resolveInstance(config({ write_timeout_ms: 120_001 })).limits.writeTimeoutMs).toBe(120_001);
  });

  it('reports schema problems by path', () => {
    const error = refusal(config({ max_in_flight: 0, id: 'bad id!' }));
    expect(error.problems.map((p) => p.path).sort()).toEqual(['id', 'max_in_flight']);
  });
});
