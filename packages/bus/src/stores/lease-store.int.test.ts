import { newTransferId } from '@interco/contracts';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { LeaseStore } from './lease-store.js';

const names = busNames(testNamespace().subjectPrefix);

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
    const stored = (await leases.kv.get(`${transferId}.po_a`))?.json<{ owner: string; expires_at: number }>();
    expect(stored).toEqual({ owner: 'replica-1', expires_at: clock + 30_000 });
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
    const transferId = newTransferId();
    const old = await leases.acquire(transferId, 'pr_b', 'replica-1', 10_000);
    clock += 5_000;
    expect(await leases.acquire(transferId, 'pr_b', 'replica-2', 10_000)).toBeUndefined();
    expect(await old?.renew()).toBe(true); // expires 10 s from now
    clock += 6_000; // past the first expiry, not the renewed one
    expect(await leases.acquire(transferId, 'pr_b', 'replica-2', 10_000)).toBeUndefined();
    clock += 5_000;
    const taker = await leases.acquire(transferId, 'pr_b', 'replica-2', 10_000);
    expect(taker?.owner).toBe('replica-2');
    expect(await old?.renew()).toBe(false);
    await old?.release();
    const stored = (await leases.kv.get(`${transferId}.pr_b`))?.json<{ owner: string }>();
    expect(stored?.owner).toBe('replica-2');
    expect(await taker?.renew()).toBe(true);
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
