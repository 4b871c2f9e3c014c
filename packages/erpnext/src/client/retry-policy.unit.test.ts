import { describe, expect, it } from 'vitest';
import { classify } from '../errors/classify.js';
import type { ErpnextError } from '../errors/erpnext-error.js';
import { type RetryPolicy, retryDelay, withRetry } from './retry-policy.js';

const context = { instanceId: 'a', operation: 'get Item' };
const transient = (retryAfter?: string): ErpnextError =>
  classify(
    {
      type: 'response',
      status: retryAfter ? 429 : 503,
      body: '',
      headers: retryAfter ? { 'retry-after': retryAfter } : {},
    },
    context,
  );
const permanent = (): ErpnextError => classify({ type: 'response', status: 404, body: '{}' }, context);
const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxTotalMs: 10_000 };

/** A fake clock: sleeping advances it. */
function clock() {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

describe('retryDelay', () => {
  it('is full jitter under an exponential ceiling capped at maxDelayMs', () => {
    expect(retryDelay(policy, 1, transient(), () => 0.999)).toBe(99);
    expect(retryDelay(policy, 2, transient(), () => 0.5)).toBe(100);
    expect(retryDelay(policy, 3, transient(), () => 0.999)).toBe(399);
    expect(retryDelay(policy, 10, transient(), () => 0.999)).toBe(999);
    expect(retryDelay(policy, 3, transient(), () => 0)).toBe(0);
  });

  it('is never shorter than Retry-After', () => {
    expect(retryDelay(policy, 1, transient('2'), () => 0.5)).toBe(2_000);
  });
});

describe('withRetry', () => {
  it('retries transient errors until success', async () => {
    const c = clock();
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw transient();
        return 'ok';
      },
      policy,
      { ...c, random: () => 0.5 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(c.slept).toEqual([50, 100]);
  });

  it('does not retry permanent errors or foreign errors', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw permanent();
      }, policy),
    ).rejects.toMatchObject({ kind: 'permanent' });
    await expect(withRetry(async () => Promise.reject(new Error('x')), policy)).rejects.toThrow('x');
    expect(calls).toBe(1);
  });

  it('stops after maxAttempts with the last error', async () => {
    const c = clock();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw transient();
        },
        policy,
        c,
      ),
    ).rejects.toMatchObject({ reason: 'unavailable' });
    expect(calls).toBe(4);
  });

  it('does not start a retry past maxTotalMs (a long Retry-After ends it at once)', async () => {
    const c = clock();
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw transient('60');
        },
        policy,
        c,
      ),
    ).rejects.toMatchObject({ retryAfterMs: 60_000 });
    expect(calls).toBe(1);
    expect(c.slept).toEqual([]);
  });

  it('honours Retry-After when it fits', async () => {
    const c = clock();
    let calls = 0;
    await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw transient('3');
        return 'ok';
      },
      policy,
      { ...c, random: () => 0 },
    );
    expect(c.slept).toEqual([3_000]);
  });

  it('reports each retry', async () => {
    const seen: Array<[string, number, number]> = [];
    await withRetry(
      async (n) => {
        if (n === 1) throw transient();
        return n;
      },
      policy,
      {
        ...clock(),
        random: () => 0.5,
        onRetry: (error, attempt, delay) => seen.push([error.reason, attempt, delay]),
      },
    );
    expect(seen).toEqual([['unavailable', 1, 50]]);
  });
});
