import { newTransferId } from '@interco/contracts';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { LeaseStore } from './lease-store.js';

const names = busNames(testNamespace().subjectPrefix);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('LeaseStore (JetStream KV)', () => {
  let nc: NatsConnection;
  let leases: LeaseStore;
  let clock = Date.now();
  beforeAll(async () => {
    nc = await connectNats({ url: natsUrl(), name: 'lease-store-int-test' });
    leases = await LeaseStore.open(nc, names, { now: () => clock });
  });
  afterAll(async () => {
    await leases?.kv.destroy().catch(() => undefined);
    await nc?.close();
  });

  it('is exclusive: a second owner gets nothing while the lease lives', async () => {
    const transferId = newTransferId();
    const lease = await leases.acquire(transferId, 'po_a', 'replica-1', 30_000);
    expect(lease).toMatchObject({ key: `${transferId}.po_a`, owner: 'replica-1' });
    expect(await leases.acquire(transferId, 'po_a', 'replica-2', 30_000)).toBeUndefined();
    // another step of the same transfer is another lease
    expect(await leases.acquire(transferId, 'pr_a', 'replica-2', 30_000)).toBeDefined();
    const entry = await leases.kv.get(`${transferId}.po_a`);
    expect(entry?.json()).toEqual({
      owner: 'replica-1',
      expires_at: clock + 30_000,
      ttl_ms: 30_000,
      token: expect.any(String),
    });
  });

  it('is taken again by its owner, and released for the next', async () => {
    const transferId = newTransferId();
    const first = await leases.acquire(transferId, 'dn_a', 'replica-1', 30_000);
    const again = await leases.acquire(transferId, 'dn_a', 'replica-1', 30_000);
    expect(again).toBeDefined();
    // the first handle lost to the second (same owner, new revision)
    expect(await first?.renew()).toBe(false);
    await again?.release();
    const next = await leases.acquire(transferId, 'dn_a', 'replica-2', 30_000);
    expect(next?.owner).toBe('replica-2');
  });

  it('is taken over once expired; the old holder then cannot renew, and its release leaves it', async () => {
    // Expiry runs from the server's timestamp of the entry: real time, short leases.
    const realTime = await LeaseStore.open(nc, names);
    const transferId = newTransferId();
    const old = await realTime.acquire(transferId, 'pr_b', 'replica-1', 1_000);
    await sleep(600);
    expect(await realTime.acquire(transferId, 'pr_b', 'replica-2', 1_000)).toBeUndefined();
    expect(await old?.renew()).toBe(true); // expires 1 s from now
    await sleep(600); // past the first expiry, not the renewed one
    expect(await realTime.acquire(transferId, 'pr_b', 'replica-2', 1_000)).toBeUndefined();
    await sleep(600);
    const taker = await realTime.acquire(transferId, 'pr_b', 'replica-2', 1_000);
    expect(taker?.owner).toBe('replica-2');
    expect(await old?.renew()).toBe(false);
    await old?.release();
    const stored = (await realTime.kv.get(`${transferId}.pr_b`))?.json<{ owner: string }>();
    expect(stored?.owner).toBe('replica-2');
    expect(await taker?.renew()).toBe(true);
  });

  it('measures expiry from the server’s timestamp, not from the clock of the replica that wrote it', async () => {
    // A replica whose clock runs an hour behind writes a lease: by its own expires_at it expired
    // long ago, but it was stored a moment ago with 30 s to live, so another replica sees it held.
    const behind = await LeaseStore.open(nc, names, { now: () => Date.now() - 3_600_000 });
    const onTime = await LeaseStore.open(nc, names);
    const transferId = newTransferId();
    expect(await behind.acquire(transferId, 'dn_a', 'replica-slow-clock', 30_000)).toBeDefined();
    expect(await onTime.acquire(transferId, 'dn_a', 'replica-2', 30_000)).toBeUndefined();
    // ... and a lease written by an older version (expires_at only) still counts by expires_at.
    const legacy = newTransferId();
    await onTime.kv.put(`${legacy}.dn_a`, JSON.stringify({ owner: 'old', expires_at: Date.now() + 30_000 }));
    expect(await onTime.acquire(legacy, 'dn_a', 'replica-2', 30_000)).toBeUndefined();
    await onTime.kv.put(`${legacy}.dn_a`, JSON.stringify({ owner: 'old', expires_at: Date.now() - 1 }));
    expect(await onTime.acquire(legacy, 'dn_a', 'replica-2', 30_000)).toBeDefined();
  });

  it('renews and releases after an answer was lost (its own write landed): by its token', async () => {
    const transferId = newTransferId();
    const lease = await leases.acquire(transferId, 'pr_a', 'replica-1', 30_000);
    const key = `${transferId}.pr_a`;
    // The holder's update landed but its answer never came: the stored revision moved on with the
    // holder's own value.
    const entry = await leases.kv.get(key);
    await leases.kv.update(key, entry?.string() ?? '', entry?.revision ?? 0);
    expect(await lease?.renew()).toBe(true);
    await leases.kv.update(
      key,
      (await leases.kv.get(key))?.string() ?? '',
      (await leases.kv.get(key))?.revision ?? 0,
    );
    await lease?.release();
    expect((await leases.kv.get(key))?.operation).toBe('DEL');
  });

  it('renews with a new expiry; a released lease does not renew', async () => {
    const transferId = newTransferId();
    const lease = await leases.acquire(transferId, 'po_a', 'replica-1', 1_000);
    clock += 900;
    expect(await lease?.renew()).toBe(true);
    const stored = (await leases.kv.get(`${transferId}.po_a`))?.json<{ expires_at: number }>();
    expect(stored?.expires_at).toBe(clock + 1_000);
    await lease?.release();
    expect(await lease?.renew()).toBe(false);
    expect((await leases.kv.get(`${transferId}.po_a`))?.operation).toBe('DEL');
  });

  it('has one winner among concurrent acquirers, with real time expiry', async () => {
    const realTime = await LeaseStore.open(nc, names);
    const transferId = newTransferId();
    const got = await Promise.all(
      Array.from({ length: 8 }, (_, i) => realTime.acquire(transferId, 'pr_a', `replica-${i}`, 200)),
    );
    expect(got.filter((lease) => lease !== undefined)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await realTime.acquire(transferId, 'pr_a', 'late-replica', 200)).toBeDefined();
  });

  it('takes over a lease whose value is unreadable', async () => {
    const transferId = newTransferId();
    await leases.kv.put(`${transferId}.po_a`, 'garbage');
    expect(await leases.acquire(transferId, 'po_a', 'replica-1', 1_000)).toBeDefined();
  });
});
