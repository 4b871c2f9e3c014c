import { describe, expect, it } from 'vitest';
import type { InstanceConfig } from '../instances/instance-config.schema.js';
import { apiKeyHint, RegistryError, validated } from './instance-registry.js';

const config = (more: Partial<InstanceConfig> = {}): InstanceConfig => ({
  id: 'erp-a',
  name: 'ERP A',
  base_url: 'https://erp.example.com/',
  api_key: 'key-erp-a-0123456789',
  api_secret: 'secret-erp-a',
  ...more,
});

function refusal(input: unknown): RegistryError {
  try {
    validated(input);
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('validated', () => {
  it('refuses write_timeout_ms <= worker_timeout_ms with a clear message at write_timeout_ms', () => {
    const error = refusal(config({ worker_timeout_ms: 60_000, write_timeout_ms: 30_000 }));
    expect(error.kind).toBe('invalid');
    expect(error.problems).toEqual([
      {
        path: 'write_timeout_ms',
        message:
          'must be greater than worker_timeout_ms (60000 ms), so that a write the client gives up on has finished or been rolled back on the site',
      },
    ]);
    expect(error.message).toMatch(
      /^invalid instance: write_timeout_ms: must be greater than worker_timeout_ms/,
    );
    expect(refusal(config({ write_timeout_ms: 120_000 })).problems.map((p) => p.path)).toEqual([
      'write_timeout_ms',
    ]);
  });

  it('accepts consistent timeouts', () => {
    expect(validated(config({ worker_timeout_ms: 60_000, write_timeout_ms: 70_000 }))).toMatchObject({
      base_url: 'https://erp.example.com',
      write_timeout_ms: 70_000,
    });
  });
});

describe('apiKeyHint', () => {
  it('is the last four characters of a key of 12 characters or more, else empty', () => {
    expect(apiKeyHint('key-erp-a-0123456789')).toBe('6789');
    expect(apiKeyHint('abcdefgh1234')).toBe('1234');
    expect(apiKeyHint('abcdefg1234')).toBe('');
    expect(apiKeyHint('key-a')).toBe('');
    expect(apiKeyHint('')).toBe('');
  });
});
