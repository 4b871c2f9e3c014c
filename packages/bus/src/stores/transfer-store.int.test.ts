import { newTransferId } from '@interco/contracts';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { sampleRecord } from '../test-support/store-fixtures.js';
import { TransferStore } from './transfer-store.js';

const names = busNames(testNamespace().subjectPrefix);

describe('TransferStore (JetStream KV)', () => {
  let nc: NatsConnection;
  let store: TransferStore;
  beforeAll(async () => {
    nc = await connectNats({ url: natsUrl(), name: 'transfer-store-int-test' });
    store = await TransferStore.open(nc, names);
  });
  afterAll(async () => {
    await store?.kv.destroy().catch(() => undefined);
    await nc?.close();
  });

  it('uses the bucket of its namespace, without history', async () => {
    const status = await store.kv.status();
    expect(status.bucket).toBe(names.buckets.transfers);
    expect(status.history).toBe(1);
  });

  it('creates, reads and refuses a second create', async () => {
    const record = sampleRecord();
    const revision = await store.create(record);
    expect(await store.get(record.transfer_id)).toEqual({ record, revision });
    await expect(store.create(record)).rejects.toMatchObject({ kind: 'exists' });
    expect(await store.get(newTransferId())).toBeUndefined();
  });

  it('refuses to write an invalid record, and says so of an invalid stored one', async () => {
    const record = sampleRecord();
    await expect(store.create({ ...record, generation: 0 })).rejects.toMatchObject({ kind: 'invalid' });
    await store.kv.put(record.transfer_id, JSON.stringify({ ...record, status: 'nonsense' }));
    await expect(store.get(record.transfer_id)).rejects.toMatchObject({ kind: 'invalid' });
    await store.kv.put(record.transfer_id, '{broken');
    await expect(store.get(record.transfer_id)).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('updates with compare-and-set: no update is lost among concurrent writers', async () => {
    const record = sampleRecord();
    await store.create(record);
    // Writers on their own connections, as several intake replicas would be.
    const others = await Promise.all(
      [1, 2, 3].map((i) => connectNats({ url: natsUrl(), name: `writer-${i}` })),
    );
    try {
      const stores = [store, ...(await Promise.all(others.map((c) => TransferStore.open(c, names))))];
      let calls = 0;
      // 20 writers: each loss means another writer's success, so none loses 20 times.
      const updates = Array.from({ length: 20 }, (_, i) =>
        (stores[i % stores.length] as TransferStore).update(record.transfer_id, (current) => {
          calls++;
          return { ...current, generation: current.generation + 1, updated_at: new Date().toISOString() };
        }),
      );
      const results = await Promise.all(updates);
      const final = await store.get(record.transfer_id);
      expect(final?.record.generation).toBe(21);
      expect(new Set(results.map((r) => r?.record.generation)).size).toBe(20);
      expect(calls).toBeGreaterThan(20);
    } finally {
      await Promise.all(others.map((c) => c.close()));
    }
  });

  it('update: undefined from change leaves it; no record answers undefined; transfer id is fixed', async () => {
    const record = sampleRecord();
    const revision = await store.create(record);
    expect(await store.update(record.transfer_id, () => undefined)).toEqual({ record, revision });
    expect(await store.update(newTransferId(), (r) => r)).toBeUndefined();
    await expect(
      store.update(record.transfer_id, (r) => ({ ...r, transfer_id: newTransferId() })),
    ).rejects.toMatchObject({ kind: 'invalid' });
    await expect(
      store.update(record.transfer_id, (r) => ({ ...r, status: 'x' as 'active' })),
    ).rejects.toMatchObject({ kind: 'invalid' });
    const cancelling = await store.update(record.transfer_id, (r) => ({
      ...r,
      status: 'cancelling',
      generation: r.generation + 1,
    }));
    expect(cancelling?.record).toMatchObject({ status: 'cancelling', generation: 2 });
    expect(cancelling?.revision).toBeGreaterThan(revision);
  });

  it('gives up with conflict when it keeps losing', async () => {
    const record = sampleRecord();
    await store.create(record);
    const kv = await new Kvm(nc).open(names.buckets.transfers);
    await expect(
      store.update(record.transfer_id, (current) => {
        // someone else writes between our read and our write, every time
        void kv.put(record.transfer_id, JSON.stringify(current));
        return { ...current, generation: current.generation + 1 };
      }),
    ).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('deletes a record (and a missing one is fine)', async () => {
    const record = sampleRecord();
    await store.create(record);
    await store.delete(record.transfer_id);
    expect(await store.get(record.transfer_id)).toBeUndefined();
    await store.delete(record.transfer_id);
    await store.create(record);
    expect((await store.get(record.transfer_id))?.record).toEqual(record);
  });
  it('names the ids of the records held, not of a removed one', async () => {
    const kept = sampleRecord();
    const removed = sampleRecord();
    await store.create(kept);
    await store.create(removed);
    await store.delete(removed.transfer_id);
    const ids: string[] = [];
    for await (const id of await store.ids()) ids.push(id);
    expect(ids).toContain(kept.transfer_id);
    expect(ids).not.toContain(removed.transfer_id);
  });
});
