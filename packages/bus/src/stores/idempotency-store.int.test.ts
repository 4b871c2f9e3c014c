import { newTransferId } from '@interco/contracts';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { nanos } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { IdempotencyStore, idempotencyKvKey } from './idempotency-store.js';

const names = busNames(testNamespace().subjectPrefix);
const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe('IdempotencyStore (JetStream KV)', () => {
  let nc: NatsConnection;
  let store: IdempotencyStore;
  const now = new Date('2026-01-02T03:04:05.000Z');
  beforeAll(async () => {
    nc = await connectNats({ url: natsUrl(), name: 'idempotency-store-int-test' });
    store = await IdempotencyStore.open(nc, names, { now: () => now });
  });
  afterAll(async () => {
    await store?.kv.destroy().catch(() => undefined);
    await nc?.close();
  });

  it('keeps keys 24 hours, without history', async () => {
    const status = await store.kv.status();
    expect(status.history).toBe(1);
    expect(status.streamInfo.config.max_age).toBe(nanos(24 * 3600 * 1000));
  });

  it('lets the first claim win and answers it to the next, per caller', async () => {
    const t1 = newTransferId();
    expect(await store.claim('tok_a', 'key-1', { transfer_id: t1, request_digest: digest('a') })).toEqual({
      claimed: true,
    });
    expect(
      await store.claim('tok_a', 'key-1', { transfer_id: newTransferId(), request_digest: digest('b') }),
    ).toEqual({
      claimed: false,
      existing: { transfer_id: t1, request_digest: digest('a'), created_at: now.toISOString() },
    });
    // another caller's key of the same text is its own
    expect(
      await store.claim('tok_b', 'key-1', { transfer_id: newTransferId(), request_digest: digest('a') }),
    ).toEqual({ claimed: true });
  });

  it('stores keys hashed with the caller', async () => {
    const key = idempotencyKvKey('tok_a', 'key-1');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(idempotencyKvKey('tok_b', 'key-1'));
    const keys: string[] = [];
    for await (const k of await store.kv.keys()) keys.push(k);
    expect(keys.join()).not.toContain('key-1');
  });

  it('is released only by the transfer that claimed it', async () => {
    const t1 = newTransferId();
    await store.claim('tok_c', 'key-2', { transfer_id: t1, request_digest: digest('c') });
    await store.release('tok_c', 'key-2', newTransferId());
    const again = await store.claim('tok_c', 'key-2', {
      transfer_id: newTransferId(),
      request_digest: digest('c'),
    });
    expect(again).toMatchObject({ claimed: false, existing: { transfer_id: t1 } });
    await store.release('tok_c', 'key-2', t1);
    const t2 = newTransferId();
    expect(await store.claim('tok_c', 'key-2', { transfer_id: t2, request_digest: digest('d') })).toEqual({
      claimed: true,
    });
    await store.release('tok_c', 'never-claimed', t2);
  });

  it('gives one winner among concurrent claims', async () => {
    const ids = Array.from({ length: 10 }, () => newTransferId());
    const results = await Promise.all(
      ids.map((transfer_id) => store.claim('tok_d', 'race', { transfer_id, request_digest: digest('e') })),
    );
    const winners = results.filter((r) => r.claimed);
    expect(winners).toHaveLength(1);
    const winner = ids[results.findIndex((r) => r.claimed)];
    for (const r of results) if (!r.claimed) expect(r.existing.transfer_id).toBe(winner);
  });
});
