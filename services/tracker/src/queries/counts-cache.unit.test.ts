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
  CountTimeLimitExceeded,
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

/** A counter whose every count waits until the test releases it, by filter key. */
function heldCounter() {
  const calls: string[] = [];
  const waiting = new Map<string, (counts: StatusCounts) => void>();
  return {
    calls,
    count: (filter: CountsFilter): Promise<StatusCounts> => {
      const key = countsKey(filter);
      calls.push(key);
      return new Promise((resolve) => waiting.set(key, resolve));
    },
    release(filter: CountsFilter, counts: StatusCounts = countsNumber(calls.length)): void {
      const key = countsKey(filter);
      waiting.get(key)?.(counts);
      waiting.delete(key);
    },
  };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

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
    const cache = new CountsCache({
      count: counter.count,
      maxAgeMs: 5_000,
      now: () => now,
      monotonicNow: () => now,
    });
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
    const cache = new CountsCache({
      count: counter.count,
      maxEntries: 3,
      now: () => T0,
      monotonicNow: () => 0,
    });
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
    const cache = new CountsCache({ count: counter.count, now: () => T0, monotonicNow: () => 0 });
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

  it('a count that times out with no earlier counts: CountsUnavailableError; counted again after maxAgeMs', async () => {
    let monotonic = 0;
    const counter = fakeCounter();
    counter.hold = true;
    const cache = new CountsCache({
      count: counter.count,
      timeoutMs: 30,
      maxAgeMs: 5_000,
      now: () => T0,
      monotonicNow: () => monotonic,
    });
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
    monotonic += 5_000;
    expect((await cache.counts(UNFILTERED)).total).toBe(2);
  });

  it('backs off after a time-out: not counted again for maxAgeMs (no scan after scan holding a place)', async () => {
    let monotonic = 0;
    const counter = fakeCounter();
    counter.hold = true;
    const cache = new CountsCache({
      count: counter.count,
      timeoutMs: 30,
      maxAgeMs: 5_000,
      now: () => T0,
      monotonicNow: () => monotonic,
    });
    const slow = byStep('po_a');
    await expect(cache.counts(slow)).rejects.toMatchObject({ kind: 'timed_out' });
    expect(counter.calls).toHaveLength(1);
    expect(cache.running).toBe(0);
    // asked again and again meanwhile: 503 at once, no new count, no place taken
    monotonic += 4_999;
    for (let i = 0; i < 3; i++) {
      const again = cache.counts(slow);
      expect(cache.running).toBe(0);
      await expect(again).rejects.toMatchObject({ kind: 'timed_out', timeoutMs: 30 });
    }
    expect(counter.calls).toHaveLength(1);
    // once maxAgeMs has passed since the failure: one count again
    monotonic += 1;
    await expect(cache.counts(slow)).rejects.toMatchObject({ kind: 'timed_out' });
    expect(counter.calls).toHaveLength(2);
  });

  it('backs off after a time-out with earlier counts: they are answered, without counting, for maxAgeMs', async () => {
    let now = T0;
    const counter = fakeCounter();
    const cache = new CountsCache({
      count: counter.count,
      timeoutMs: 30,
      maxAgeMs: 1_000,
      now: () => now,
      monotonicNow: () => now,
    });
    const first = await cache.counts(UNFILTERED);
    now += 2_000;
    counter.hold = true;
    expect(await cache.counts(UNFILTERED)).toBe(first); // timed out: the last counts
    expect(counter.calls).toHaveLength(2);
    now += 999;
    expect(await cache.counts(UNFILTERED)).toBe(first);
    expect(counter.calls).toHaveLength(2);
    counter.hold = false;
    now += 1;
    const next = await cache.counts(UNFILTERED);
    expect(counter.calls).toHaveLength(3);
    expect(next.as_of).toBe(new Date(now).toISOString());
  });

  it('a count that times out (here or on the server) answers the last counts, with their older as_of', async () => {
    let now = T0;
    const counter = fakeCounter();
    const cache = new CountsCache({
      count: counter.count,
      maxAgeMs: 1_000,
      timeoutMs: 30,
      now: () => now,
      monotonicNow: () => now,
    });
    const first = await cache.counts(UNFILTERED);
    now += 60_000;
    counter.hold = true;
    expect(await cache.counts(UNFILTERED)).toBe(first);
    expect(first.as_of).toBe(new Date(T0).toISOString());
    // a count that stopped itself past its limit (a serial's reads) is a time-out
    counter.hold = false;
    counter.fail = new CountTimeLimitExceeded(30);
    now += 1_000;
    expect(await cache.counts(UNFILTERED)).toBe(first);
    await expect(cache.counts(byStep('dn_a'))).rejects.toMatchObject({ kind: 'timed_out' });
    // MongoDB's MaxTimeMSExpired (code 50) is a time-out too (once the back-off has passed)
    counter.hold = false;
    counter.fail = Object.assign(new Error('operation exceeded time limit'), { code: 50 });
    now += 1_000;
    expect(await cache.counts(UNFILTERED)).toBe(first);
    const other = await cache.counts(byStep('po_a')).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(CountsUnavailableError);
    // the hung count answering late changes nothing: it is older than what may have come since
    counter.fail = undefined;
    counter.held[0]?.(countsNumber(99));
    await new Promise((resolve) => setTimeout(resolve, 5));
    now += 1_000;
    const next = await cache.counts(UNFILTERED);
    expect(next.total).not.toBe(99);
    expect(next.as_of).toBe(new Date(now).toISOString());
  });

  it('any other failure: the last counts when there are some, else the error itself', async () => {
    let now = T0;
    const counter = fakeCounter();
    const cache = new CountsCache({
      count: counter.count,
      maxAgeMs: 1_000,
      now: () => now,
      monotonicNow: () => now,
    });
    const first = await cache.counts(UNFILTERED);
    now += 2_000;
    const down = new Error('MongoDB is not answering');
    counter.fail = down;
    expect(await cache.counts(UNFILTERED)).toBe(first);
    expect(await cache.counts(byStep('po_a')).catch((e: unknown) => e)).toBe(down);
    // a counter that throws at once is a failure like any other (not a count left pending); asked
    // again within maxAgeMs, no count: counts_unavailable (`failed`), then a count again
    let monotonic = 0;
    let calls = 0;
    const cache2 = new CountsCache({
      count: () => {
        calls++;
        throw down;
      },
      maxAgeMs: 1_000,
      monotonicNow: () => monotonic,
    });
    expect(await cache2.counts(UNFILTERED).catch((e: unknown) => e)).toBe(down);
    await expect(cache2.counts(UNFILTERED)).rejects.toMatchObject({ kind: 'failed' });
    expect(calls).toBe(1);
    monotonic += 1_000;
    expect(await cache2.counts(UNFILTERED).catch((e: unknown) => e)).toBe(down);
    expect(calls).toBe(2);
  });

  it('measures freshness on the monotonic clock: a step of the wall clock changes nothing', async () => {
    let wall = T0;
    let monotonic = 1_000;
    const counter = fakeCounter();
    const cache = new CountsCache({
      count: counter.count,
      maxAgeMs: 5_000,
      now: () => wall,
      monotonicNow: () => monotonic,
    });
    const first = await cache.counts(UNFILTERED);
    expect(first.as_of).toBe(new Date(T0).toISOString()); // as_of: the wall clock
    wall += 3_600_000; // the wall clock jumps an hour ahead (NTP step): still fresh
    monotonic += 1;
    expect(await cache.counts(UNFILTERED)).toBe(first);
    wall = T0 - 3_600_000; // and back: the monotonic clock alone decides
    monotonic += 5_000;
    const next = await cache.counts(UNFILTERED);
    expect(next.total).toBe(2);
    expect(next.as_of).toBe(new Date(wall).toISOString());
    expect(counter.calls).toHaveLength(2);
  });

  it('freshness runs from when a count ended (a count slower than maxAgeMs is fresh once answered); as_of is its start', async () => {
    let wall = T0;
    let monotonic = 0;
    const counter = heldCounter();
    const cache = new CountsCache({
      count: counter.count,
      maxAgeMs: 5_000,
      timeoutMs: 60_000,
      now: () => wall,
      monotonicNow: () => monotonic,
    });
    const asked = cache.counts(UNFILTERED);
    wall += 8_000; // the count takes 8 s, longer than maxAgeMs
    monotonic += 8_000;
    counter.release(UNFILTERED, countsNumber(1));
    const counts = await asked;
    expect(counts.as_of).toBe(new Date(T0).toISOString());
    monotonic += 4_999;
    expect(await cache.counts(UNFILTERED)).toBe(counts);
    expect(counter.calls).toHaveLength(1);
    monotonic += 1;
    const again = cache.counts(UNFILTERED);
    expect(counter.calls).toHaveLength(2);
    counter.release(UNFILTERED);
    await again;
  });

  it('never drops an entry being counted: the least recently used idle one goes instead', async () => {
    const counter = heldCounter();
    const cache = new CountsCache({ count: counter.count, maxEntries: 3, monotonicNow: () => 0 });
    const slow = cache.counts(byStep('po_a')); // the least recently used from now on, counting
    for (const step of ['pr_a', 'dn_a'] as const) {
      const asked = cache.counts(byStep(step));
      counter.release(byStep(step));
      await asked;
    }
    const fourth = cache.counts(byStep('pr_b'));
    counter.release(byStep('pr_b'));
    await fourth;
    // pr_a (the least recently used idle entry) went; po_a, older but counting, stays
    expect(cache.keys()).toEqual([byStep('po_a'), byStep('dn_a'), byStep('pr_b')].map(countsKey));
    // and asks for it still share its one count
    const shared = cache.counts(byStep('po_a'));
    expect(counter.calls.filter((key) => key === countsKey(byStep('po_a')))).toHaveLength(1);
    counter.release(byStep('po_a'), countsNumber(42));
    expect(await slow).toBe(await shared);
  });

  it('holds more than maxEntries only while every other entry is being counted, trimmed when a count ends', async () => {
    const counter = heldCounter();
    const cache = new CountsCache({ count: counter.count, maxEntries: 2, monotonicNow: () => 0 });
    const asks = (['po_a', 'pr_a', 'dn_a'] as const).map((step) => cache.counts(byStep(step)));
    expect(cache.keys()).toHaveLength(3);
    counter.release(byStep('po_a'));
    await asks[0];
    expect(cache.keys()).toEqual([byStep('pr_a'), byStep('dn_a')].map(countsKey));
    counter.release(byStep('pr_a'));
    counter.release(byStep('dn_a'));
    await Promise.all(asks);
    expect(cache.keys()).toHaveLength(2);
  });

  it('runs at most maxRunning counts at once: beyond, the last counts, else CountsUnavailableError busy', async () => {
    let monotonic = 0;
    const counter = heldCounter();
    const cache = new CountsCache({
      count: counter.count,
      maxRunning: 3,
      maxAgeMs: 1_000,
      timeoutMs: 60_000,
      monotonicNow: () => monotonic,
    });
    const earlier = cache.counts(byStep('pr_b'));
    counter.release(byStep('pr_b'));
    const known = await earlier;
    monotonic += 2_000; // pr_b is no longer fresh
    const asks = [cache.counts(byStep('po_a')), cache.counts(byStep('pr_a'))];
    expect(cache.running).toBe(2);
    const refused = await cache.counts(byStep('dn_a')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CountsUnavailableError);
    // a filtered entry may start a count while fewer than maxRunning − 1 run
    expect(refused).toMatchObject({ kind: 'busy', maxRunning: 2 });
    expect(await cache.counts(byStep('pr_b'))).toBe(known); // stale, but no third count
    expect(counter.calls).toHaveLength(3);
    expect(cache.keys()).not.toContain(countsKey(byStep('dn_a')));
    // asks for a filter being counted still share its count
    const shared = cache.counts(byStep('po_a'));
    counter.release(byStep('po_a'));
    expect(await shared).toBe(await asks[0]);
    expect(cache.running).toBe(1);
    const now = cache.counts(byStep('dn_a'));
    expect(counter.calls).toHaveLength(4);
    counter.release(byStep('dn_a'));
    counter.release(byStep('pr_a'));
    await Promise.all([now, ...asks]);
    await settled();
    expect(cache.running).toBe(0);
  });

  it('a count given up frees its place among the running ones', async () => {
    const counter = heldCounter();
    const cache = new CountsCache({ count: counter.count, maxRunning: 1, timeoutMs: 30 });
    const error = await cache.counts(UNFILTERED).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'timed_out' });
    expect(cache.running).toBe(0);
    const next = cache.counts(byStep('po_a'));
    expect(counter.calls).toHaveLength(2);
    counter.release(byStep('po_a'));
    await next;
  });

  it('the default runs at most 8 counts at once, one place kept for the unfiltered entry', async () => {
    const counter = heldCounter();
    const cache = new CountsCache({ count: counter.count });
    const asks = Array.from({ length: 7 }, (_, i) => cache.counts({ query: { reference: `R-${i}` } }));
    // 7 filtered counts running: no eighth filtered one
    await expect(cache.counts({ query: { reference: 'R-7' } })).rejects.toMatchObject({
      kind: 'busy',
      maxRunning: 7,
    });
    expect(cache.running).toBe(7);
    // the unfiltered entry (the gauge, the console's bar) still gets its count
    const unfiltered = cache.counts(UNFILTERED);
    expect(cache.running).toBe(8);
    await expect(cache.counts(byStep('po_a'))).rejects.toMatchObject({ kind: 'busy' });
    counter.release(UNFILTERED);
    await unfiltered;
    for (let i = 0; i < 7; i++) counter.release({ query: { reference: `R-${i}` } });
    await Promise.all(asks);
  });

  it('the unfiltered entry counts even when every other place is taken by filtered counts', async () => {
    const counter = heldCounter();
    const cache = new CountsCache({ count: counter.count, maxRunning: 2 });
    const filtered = cache.counts(byStep('po_a'));
    await expect(cache.counts(byStep('pr_a'))).rejects.toMatchObject({ kind: 'busy', maxRunning: 1 });
    const unfiltered = cache.counts(UNFILTERED);
    expect(counter.calls).toEqual([countsKey(byStep('po_a')), countsKey(UNFILTERED)]);
    await expect(cache.counts({ query: {}, serialDigest: 'a'.repeat(64) })).rejects.toMatchObject({
      kind: 'busy',
    });
    counter.release(byStep('po_a'));
    counter.release(UNFILTERED);
    await Promise.all([filtered, unfiltered]);
  });
});
