import { newTransferId } from '@interco/contracts';
import { SecretBox } from '@interco/erpnext';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { SerialDigester } from './serial-digest.js';
import { type HolderState, SerialReservations } from './serial-reservations.js';

const names = busNames(testNamespace().subjectPrefix);
const digester = SerialDigester.fromSecretBox(SecretBox.fromKeyText(SecretBox.generateKeyText()));
const digests = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => digester.digest(`${prefix}-${i}`));

describe('SerialReservations (JetStream KV)', () => {
  let nc: NatsConnection;
  let reservations: SerialReservations;
  /** Holder states the tests set; anything not set is active. */
  const states = new Map<string, HolderState>();
  const asked: string[] = [];
  const holderState = async (transferId: string): Promise<HolderState> => {
    asked.push(transferId);
    return states.get(transferId) ?? 'active';
  };

  beforeAll(async () => {
    nc = await connectNats({ url: natsUrl(), name: 'serial-reservations-int-test' });
    reservations = await SerialReservations.open(nc, names, { holderState });
  });
  afterAll(async () => {
    await reservations?.kv.destroy().catch(() => undefined);
    await nc?.close();
  });

  it('reserves free serials, again idempotently, and names the holder', async () => {
    const t1 = newTransferId();
    const keys = digests('free', 10);
    expect(await reservations.reserve(t1, keys)).toEqual({ ok: true });
    expect(await reservations.reserve(t1, keys)).toEqual({ ok: true });
    expect(await reservations.holder(keys[3] ?? '')).toBe(t1);
    expect(await reservations.holder(digester.digest('never-reserved'))).toBeUndefined();
  });

  it('refuses an overlap with an active transfer, naming the holder, and takes nothing', async () => {
    const t1 = newTransferId();
    const t2 = newTransferId();
    const first = digests('overlap', 10);
    expect(await reservations.reserve(t1, first)).toEqual({ ok: true });
    // t2 wants 20 new serials plus 2 of t1's
    const held = [first[2] ?? '', first[7] ?? ''];
    const wanted = [...digests('overlap-new', 20), ...held];
    const result = await reservations.reserve(t2, wanted);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.conflicts.sort((a, b) => a.digest.localeCompare(b.digest))).toEqual(
      held.map((digest) => ({ digest, holder: t1 })).sort((a, b) => a.digest.localeCompare(b.digest)),
    );
    // all or nothing: none of the new ones is held, t1 keeps its own
    for (const digest of wanted.slice(0, 20)) expect(await reservations.holder(digest)).toBeUndefined();
    for (const digest of first) expect(await reservations.holder(digest)).toBe(t1);
  });

  it('takes sn-1 and SN-1 as the same serial', async () => {
    const t1 = newTransferId();
    const t2 = newTransferId();
    expect(await reservations.reserve(t1, [digester.digest('case-sn-1')])).toEqual({ ok: true });
    const result = await reservations.reserve(t2, [digester.digest('CASE-SN-1')]);
    expect(result).toEqual({ ok: false, conflicts: [{ digest: digester.digest('case-sn-1'), holder: t1 }] });
  });

  it('takes over the serials of an inactive holder, and of a stale unknown one', async () => {
    const done = newTransferId();
    const crashed = newTransferId();
    const fresh = newTransferId();
    const t2 = newTransferId();
    const a = digests('takeover-a', 5);
    const b = digests('takeover-b', 5);
    const c = digests('takeover-c', 5);
    await reservations.reserve(done, a);
    await reservations.reserve(crashed, b);
    await reservations.reserve(fresh, c);
    states.set(done, 'inactive');
    states.set(crashed, 'unknown');
    states.set(fresh, 'unknown');
    // an unknown holder is taken over only once its reservation is stale
    expect((await reservations.reserve(t2, [...a, ...b, ...c])).ok).toBe(false);
    // (the inactive holder's keys may have been taken and given back: never kept by t2)
    for (const digest of [...a, ...b, ...c]) expect(await reservations.holder(digest)).not.toBe(t2);
    const later = await SerialReservations.open(nc, names, {
      holderState,
      staleAfterMs: 60_000,
      now: () => Date.now() + 120_000,
    });
    asked.length = 0;
    expect(await later.reserve(t2, [...a, ...b])).toEqual({ ok: true });
    for (const digest of [...a, ...b]) expect(await reservations.holder(digest)).toBe(t2);
    // one question per holder, not per serial (done's keys may have been freed by the failed call)
    expect(asked).toContain(crashed);
    expect(new Set(asked).size).toBe(asked.length);
    // a fresh unknown holder (an intake still writing its record) keeps its serials
    const result = await reservations.reserve(t2, c);
    expect(result.ok).toBe(false);
  });

  it('releases only the serials of the transfer named', async () => {
    const t1 = newTransferId();
    const t2 = newTransferId();
    const mine = digests('release-1', 5);
    const theirs = digests('release-2', 5);
    await reservations.reserve(t1, mine);
    await reservations.reserve(t2, theirs);
    expect(await reservations.release(t1, [...mine, ...theirs, digester.digest('release-none')])).toBe(5);
    for (const digest of mine) expect(await reservations.holder(digest)).toBeUndefined();
    for (const digest of theirs) expect(await reservations.holder(digest)).toBe(t2);
    expect(await reservations.release(t1, mine)).toBe(0);
    // released serials can be reserved again
    expect(await reservations.reserve(t2, mine)).toEqual({ ok: true });
  });

  it('keeps the generation in the value, and reads a value written without one as generation 1', async () => {
    const t1 = newTransferId();
    const keys = digests('generation-value', 3);
    expect(await reservations.reserve(t1, keys)).toEqual({ ok: true });
    expect((await reservations.kv.get(keys[0] ?? ''))?.string()).toBe(`${t1}@1`);
    expect(await reservations.holding(keys[0] ?? '')).toEqual({ transferId: t1, generation: 1 });
    // a reservation written before values carried a generation: the bare transfer id
    const legacy = newTransferId();
    const old = digester.digest('generation-legacy');
    await reservations.kv.put(old, legacy);
    expect(await reservations.holding(old)).toEqual({ transferId: legacy, generation: 1 });
    expect(await reservations.reserve(legacy, [old])).toEqual({ ok: true });
    expect(await reservations.release(legacy, [old], { throughGeneration: 1 })).toBe(1);
  });

  it("a cancel taking a completed transfer's serials back (a later generation) is not undone by the release of the completed one", async () => {
    const t1 = newTransferId();
    const keys = digests('generation-reclaim', 20);
    expect(await reservations.reserve(t1, keys, 1)).toEqual({ ok: true });
    // the lifecycle has released half of them when the cancel takes them all back at generation 2
    expect(await reservations.release(t1, keys.slice(0, 10), { throughGeneration: 1 })).toBe(10);
    expect(await reservations.reserve(t1, keys, 2)).toEqual({ ok: true });
    for (const digest of keys)
      expect(await reservations.holding(digest)).toEqual({ transferId: t1, generation: 2 });
    // the rest of the completed generation's release (or a redelivery of pr_b.done) frees nothing
    expect(await reservations.release(t1, keys, { throughGeneration: 1 })).toBe(0);
    for (const digest of keys) expect(await reservations.holder(digest)).toBe(t1);
    // a repeated reserve at the same generation or an earlier one changes nothing
    expect(await reservations.reserve(t1, keys, 2)).toEqual({ ok: true });
    expect(await reservations.reserve(t1, keys, 1)).toEqual({ ok: true });
    expect(await reservations.holding(keys[0] ?? '')).toEqual({ transferId: t1, generation: 2 });
    // the cancel's own end (transfer.cancelled at generation 2) frees them
    expect(await reservations.release(t1, keys, { throughGeneration: 2 })).toBe(20);
  });

  it('a release racing a take-back at a later generation never frees a key the later generation wrote', async () => {
    const t1 = newTransferId();
    const keys = digests('generation-race', 500);
    expect(await reservations.reserve(t1, keys, 1)).toEqual({ ok: true });
    const [reserved] = await Promise.all([
      reservations.reserve(t1, keys, 2),
      reservations.release(t1, keys, { throughGeneration: 1 }),
    ]);
    expect(reserved).toEqual({ ok: true });
    for (const digest of keys)
      expect(await reservations.holding(digest)).toEqual({ transferId: t1, generation: 2 });
  });

  it('lets one of two racing transfers have a serial set, never both', async () => {
    const keys = digests('race', 200);
    const t1 = newTransferId();
    const t2 = newTransferId();
    const [r1, r2] = await Promise.all([reservations.reserve(t1, keys), reservations.reserve(t2, keys)]);
    const holders = new Set(await Promise.all(keys.map((digest) => reservations.holder(digest))));
    // at most one succeeds; if one did, it holds everything
    expect(r1.ok && r2.ok).toBe(false);
    if (r1.ok) expect([...holders]).toEqual([t1]);
    if (r2.ok) expect([...holders]).toEqual([t2]);
    if (!r1.ok && !r2.ok) expect([...holders].filter((h) => h !== undefined)).toEqual([]);
  });

  it('reserves 100,000 serials in a few seconds, and releases them', async () => {
    const transferId = newTransferId();
    let started = performance.now();
    const keys = digests('bulk', 100_000);
    const digestMs = performance.now() - started;
    started = performance.now();
    expect(await reservations.reserve(transferId, keys)).toEqual({ ok: true });
    const reserveMs = performance.now() - started;
    started = performance.now();
    const clash = await reservations.reserve(newTransferId(), keys);
    const clashMs = performance.now() - started;
    expect(clash.ok ? 0 : clash.conflicts.length).toBe(100_000);
    started = performance.now();
    expect(await reservations.release(transferId, keys)).toBe(100_000);
    const releaseMs = performance.now() - started;
    console.log(
      `100,000 serials: digests ${digestMs.toFixed(0)} ms, reserve ${reserveMs.toFixed(0)} ms, ` +
        `conflicting reserve ${clashMs.toFixed(0)} ms, release ${releaseMs.toFixed(0)} ms`,
    );
    expect(reserveMs).toBeLessThan(20_000);
  }, 120_000);
});
