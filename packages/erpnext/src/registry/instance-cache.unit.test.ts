import { describe, expect, it } from 'vitest';
import type { InstanceConfig } from '../instances/instance-config.schema.js';
import { type CacheSource, type CacheWatch, type CacheWatchEntry, InstanceCache } from './instance-cache.js';

// The cache's start against a fake registry whose watch ends or fails before the current state
// is loaded: start() must reject (and stop the watch), not hang or leave an unhandled rejection.

function source(entries: () => AsyncGenerator<CacheWatchEntry>, values: number) {
  const state = { stopped: 0 };
  const feed: CacheSource = {
    kv: {
      watch: async (): Promise<CacheWatch> => {
        const iterable = entries();
        return { [Symbol.asyncIterator]: () => iterable, stop: () => void state.stopped++ };
      },
      status: async () => ({ values }),
    },
    openStored: (stored): InstanceConfig => ({ ...stored, api_key: 'k', api_secret: 's' }),
  };
  return { feed, state };
}

const put = (key: string, isUpdate: boolean, delta: number): CacheWatchEntry => ({
  key,
  operation: 'PUT',
  revision: 1,
  isUpdate,
  delta,
  string: () =>
    JSON.stringify({
      id: key,
      name: key,
      base_url: 'https://erp.example.com',
      api_key_sealed: 'v1:x',
      api_secret_sealed: 'v1:y',
      api_key_hint: '',
      created_at: '2026-03-02T10:00:00Z',
      updated_at: '2026-03-02T10:00:00Z',
    }),
});

describe('InstanceCache.start', () => {
  it('rejects when the watch ends before the current state is loaded', async () => {
    const { feed, state } = source(async function* () {
      yield put('erp-a', false, 1); // one of two, then the watch ends
    }, 2);
    await expect(InstanceCache.start(feed)).rejects.toThrow(
      'the registry watch ended before the instances were loaded',
    );
    expect(state.stopped).toBe(1);
  });

  it('rejects when the watch fails before the current state is loaded', async () => {
    const { feed, state } = source(async function* () {
      yield* [];
      throw new Error('consumer deleted');
    }, 1);
    await expect(InstanceCache.start(feed)).rejects.toThrow(
      'the registry watch failed before the instances were loaded: Error: consumer deleted',
    );
    expect(state.stopped).toBe(1);
  });

  it('resolves once loaded; a watch ending later is logged, not thrown', async () => {
    const logged: string[] = [];
    const at = (level: string) => (_: object, msg: string) => void logged.push(`${level} ${msg}`);
    const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const { feed } = source(async function* () {
      yield put('erp-a', false, 0);
    }, 1);
    const cache = await InstanceCache.start(feed, { logger });
    expect(cache.ids()).toEqual(['erp-a']);
    await expect
      .poll(() => logged)
      .toEqual(['error instance cache: the registry watch ended; changes are no longer followed']);
  });
});
