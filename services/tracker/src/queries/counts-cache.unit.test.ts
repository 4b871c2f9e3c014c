import { randomBytes } from 'node:crypto';
import { SerialDigester } from '@interco/bus';
import { SecretBox } from '@interco/erpnext';
import { describe, expect, it } from 'vitest';
import { noTransfers, type StatusCounts } from './counts.js';
import {
  CountsCache,
  type CountsFilter,
  type CountsQuery,
  CountsUnavailableError,
  countsFilterOf,
  countsKey,
  UNFILTERED,
} from './counts-cache.js';

const T0 = Date.parse('2026-12-05T12:00:00.000Z');

/** Counts whose `total` says which count of the test made them. */
function countsNumber(n: number): StatusCounts {
  return { total: n, by_status: { ...noTransfers(), completed: n }, stuck: 0 };
}

/** A fake counter: records each count's filter key and limit; answers at once, or when released. */
function fakeCounter() {
  const calls: { key: string; maxTimeMs: number }[] = [];
  const held: ((counts: StatusCounts) => void)[] = [];
  let hold = false;
  let fail: unknown;
  return {
    calls,
    held,
    set hold(value: boolean) {
      hold = value;
    },
    set fail(error: unknown) {
      fail = error;
    },
    count: async (filter: CountsFilter, limit: { readonly maxTimeMs: number }): Promise<StatusCounts> => {
      calls.push({ key: countsKey(filter), maxTimeMs: limit.maxTimeMs });
      if (fail !== undefined) throw fail;
      if (hold) return new Promise((resolve) => held.push(resolve));
      return countsNumber(calls.length);
    },
  };
}

const byStep = (step: NonNullable<CountsQuery['step']>): CountsFilter => ({ query: { step } });

describe('countsKey', () => {
  it('puts the filters in a fixed order and times in their stored form', () => {
    expect(
      countsKey({ query: { reference: 'R', step: 'po_a', created_from: '2026-12-01T01:00:00+01:00' } }),
    ).toBe(countsKey({ query: { created_from: '2026-12-01T00:00:00.000Z', step: 'po_a', reference: 'R' } }));
    expect(countsKey({ query: { instance: 'x' } })).not.toBe(countsKey({ query: { company: 'x' } }));
    expect(countsKey(UNFILTERED)).not.toBe(countsKey({ query: {}, serialDigest: 'a'.repeat(64) }));
  });

  it('never holds a serial’s text: a serial is keyed by its keyed digest', () => {
    const digester = SerialDigester.fromSecretBox(SecretBox.fromKeyText(randomBytes(32).toString('base64')));
    const serial = 'PIN-4242-SECRET';
    const key = countsKey({ query: { step: 'po_a' }, serialDigest: digester.digest(serial) });
    expect(key).toContain(digester.digest(serial));
    expect(key.toLowerCase()).not.toContain(serial.toLowerCase());
    // a query carrying the serial's text (the route's whole query string) still keys without it
    const stray = { step: 'po_a', serial } as CountsQuery;
    expect(countsKey({ query: stray })).not.toContain(serial);
  });

  it('counts a filter by what it is keyed by alone (a stray field never reaches the count)', async () => {
    const counter = fakeCounter();
    const seen: CountsFilter[] = [];
    const cache = new CountsCache({
      count: (filter, limit) => {
        seen.push(filter);
        return counter.count(filter, limit);
      },
    });
    const stray = { step: 'po_a', status: 'failed', serial: 'PIN-1' } as CountsQuery;
    await cache.counts({ query: stray, serialDigest: 'd'.repeat(64) });
    expect(seen).toEqual([{ query: { step: 'po_a' }, serialDigest: 'd'.repeat(64) }]);
    expect(countsFilterOf({ query: stray })).toEqual({ query: { step: 'po_a' } });
  });
});

describe('CountsCache', () => {
  it('answers fresh counts from the cache for maxAgeMs, then counts again; as_of says when', async () => {
    let now = T0;
    const counter = fakeCounter();
    const cache = new CountsCache({ count: counter.count, maxAgeMs: 5_000, now: () => now });
    const first = await cache.counts(UNFILTERED);
    expect(first).toEqual({ ...countsNumber(1), as_of: new Date(T0).toISOString() });
    now += 4_999;
    expect(await cache.counts(UNFILTERED)).toBe(first);
    expect(counter.calls).toHaveLength(1);
    now += 1;
    expect(await cache.counts(UNFILTERED)).toEqual({
      ...countsNumber(2),
      as_of: new Date(now).toISOString(),
    });
    // each filter its own entry
    expect((await cache.counts(byStep('dn_a'))).total).toBe(3);
    expect(counter.calls.map((call) => call.maxTimeMs)).toEqual([10_000, 10_000, 10_000]);
  });

  it('keeps at most maxEntries filters, dropping the least recently used', async () => {
    const counter = fakeCounter();
    const cache = new CountsCache({ count: counter.count, maxEntries: 3, now: () => T0 });
    for (const step of ['po_a', 'pr_a', 'dn_a'] as const) await cache.counts(byStep(step));
    await cache.counts(byStep('po_a')); // used again: now the most recent
    await cache.counts(byStep('pr_b')); // a fourth: pr_a, the least recently used, goes
    expect(cache.keys()).toEqual([byStep('dn_a'), byStep('po_a'), byStep('pr_b')].map(countsKey));
    expect(counter.calls).toHaveLength(4);
    await cache.counts(byStep('po_a'));
    expect(counter.calls).toHaveLength(4); // still there and fresh
    await cache.counts(byStep('pr_a'));
    expect(counter.calls).toHaveLength(5); // dropped: counted again
    expect(cache.keys()).toHaveLength(3);
  });

  it('the default holds 100 filters', async () => {
    const counter = fakeCounter();
    const cache = new CountsCache({ count: counter.count, now: () => T0 });
    for (let i = 0; i < 150; i++) await cache.counts({ query: { reference: `R-${i}` } });
    expect(cache.keys()).toHaveLength(100);
    expect(cache.keys()[0]).toBe(countsKey({ query: { reference: 'R-50' } }));
  });

  it('shares one count between the asks for a filter that come while it is counted', async () => {
    const counter = fakeCounter();
    counter.hold = true;
    const cache = new CountsCache({ count: counter.count, maxAgeMs: 0, now: () => T0 });
    const asks = [cache.counts(UNFILTERED), cache.counts(UNFILTERED), cache.counts(byStep('po_a'))];
    await Promise.resolve();
    expect(counter.calls).toHaveLength(2); // one per filter
    for (const release of counter.held) release(countsNumber(7));
    const answers = await Promise.all(asks);
    expect(answers[0]).toBe(answers[1]);
    // once answered (maxAgeMs 0: never fresh), the next ask counts again
    counter.hold = false;
    await cache.counts(UNFILTERED);
    expect(counter.calls).toHaveLength(3);
  });

  it('a count that times out with no earlier counts: CountsUnavailableError; the next ask counts again', async () => {
    const counter = fakeCounter();
    counter.hold = true;
    const cache = new CountsCache({ count: counter.count, timeoutMs: 30, now: () => T0 });
    const started = performance.now();
    const error = await cache.counts(UNFILTERED).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(CountsUnavailableError);
    expect((error as CountsUnavailableError).timeoutMs).toBe(30);
    expect(counter.calls[0]?.maxTimeMs).toBe(30);
    // a late answer of the count given up is dropped
    counter.held[0]?.(countsNumber(99));
    await new Promise((resolve) => setTimeout(resolve, 5));
    counter.hold = false;
    expect((await cache.counts(UNFILTERED)).total).toBe(2);
  });

  it('a count that times out (here or on the server) answers the last counts, with their older as_of', async () => {
    let now = T0;
    const counter = fakeCounter();
    const cache = new CountsCache({ count: counter.count, maxAgeMs: 1_000, timeoutMs: 30, now: () => now });
    const first = await cache.counts(UNFILTERED);
    now += 60_000;
    counter.hold = true;
    expect(await cache.counts(UNFILTERED)).toBe(first);
    expect(first.as_of).toBe(new Date(T0).toISOString());
    // MongoDB's MaxTimeMSExpired (code 50) is a time-out too
    counter.hold = false;
    counter.fail = Object.assign(new Error('operation exceeded time limit'), { code: 50 });
    expect(await cache.counts(UNFILTERED)).toBe(first);
    const other = await cache.counts(byStep('po_a')).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(CountsUnavailableError);
    // the hung count answering late changes nothing: it is older than what may have come since
    counter.fail = undefined;
    counter.held[0]?.(countsNumber(99));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const next = await cache.counts(UNFILTERED);
    expect(next.total).not.toBe(99);
    expect(next.as_of).toBe(new Date(now).toISOString());
  });

  it('any other failure: the last counts when there are some, else the error itself', async () => {
    let now = T0;
    const counter = fakeCounter();
    const cache = new CountsCache({ count: counter.count, maxAgeMs: 1_000, now: () => now });
    const first = await cache.counts(UNFILTERED);
    now += 2_000;
    const down = new Error('MongoDB is not answering');
    counter.fail = down;
    expect(await cache.counts(UNFILTERED)).toBe(first);
    expect(await cache.counts(byStep('po_a')).catch((e: unknown) => e)).toBe(down);
    // a counter that throws at once is a failure like any other (not a count left pending)
    const cache2 = new CountsCache({
      count: () => {
        throw down;
      },
    });
    expect(await cache2.counts(UNFILTERED).catch((e: unknown) => e)).toBe(down);
    expect(await cache2.counts(UNFILTERED).catch((e: unknown) => e)).toBe(down);
  });
});
