import { DEFAULT_REGISTRY_BUCKET } from '@interco/erpnext';
import { describe, expect, it } from 'vitest';
import { busNames } from './names.js';

describe('busNames', () => {
  it('gives the names of docs/pipeline.md for the default prefix', () => {
    expect(busNames()).toEqual({
      subjectPrefix: 'interco',
      stream: 'INTERCO',
      buckets: {
        transfers: 'interco_transfers',
        serials: 'interco_serials',
        idempotency: 'interco_idempotency',
        leases: 'interco_leases',
        manifests: 'interco_manifests',
        instances: 'interco_instances',
        tokens: 'interco_tokens',
        keys: 'interco_keys',
      },
    });
    expect(busNames().buckets.instances).toBe(DEFAULT_REGISTRY_BUCKET);
  });

  it('derives every name from a test prefix', () => {
    const names = busNames('t_abc');
    expect(names.stream).toBe('T_ABC');
    expect(names.buckets.serials).toBe('t_abc_serials');
    expect(busNames('t_transfer_store_0123abcd_long_enough_x').stream).toBe(
      'T_TRANSFER_STORE_0123ABCD_LONG_ENOUGH_X',
    );
  });

  it('refuses a prefix that is not one lowercase subject token', () => {
    for (const bad of ['', 'Interco', 'a.b', 'a>', 'a*', '1abc', 'a-b', 'a b', 'x'.repeat(65)]) {
      expect(() => busNames(bad), bad).toThrow('invalid namespace');
    }
  });
});
