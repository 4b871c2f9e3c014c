import { SECRET_KEY_PREVIOUS_ENV, SecretBox } from '@interco/erpnext';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { DataKeyStore, loadSerialDigester, SERIAL_DIGEST_KEY_ENTRY } from './data-key-store.js';
import { SERIAL_DIGEST_PURPOSE, SerialDigester } from './serial-digest.js';

const ns = testNamespace();
/** One deployment per test: the data key bucket starts empty in each. */
let deployments = 0;
const freshNames = () => busNames(`${ns.subjectPrefix}_${++deployments}`);

describe('DataKeyStore (JetStream KV): the serial digest key', () => {
  const connections: NatsConnection[] = [];
  let nc: NatsConnection;
  const connection = async () => {
    const opened = await connectNats({ url: natsUrl(), name: 'data-key-store-int-test' });
    connections.push(opened);
    return opened;
  };
  beforeAll(async () => {
    nc = await connection();
  });
  afterAll(async () => {
    const jsm = await jetstreamManager(nc);
    for (let i = 1; i <= deployments; i++) {
      await jsm.streams.delete(`KV_${busNames(`${ns.subjectPrefix}_${i}`).buckets.keys}`).catch(() => false);
    }
    for (const opened of connections) await opened.close();
  });

  it('is created once when services start at the same moment: every one gets the one stored value', async () => {
    const names = freshNames();
    const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
    const starts = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const store = await DataKeyStore.open(await connection(), names, box, {
          now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
        });
        return store.createSerialDigestKey();
      }),
    );
    for (const key of starts) expect(key.equals(starts[0] ?? Buffer.alloc(0))).toBe(true);
    // one write only: the KV stream holds the first create and nothing after it
    const info = await (await jetstreamManager(nc)).streams.info(`KV_${names.buckets.keys}`);
    expect(info.state.last_seq).toBe(1);
  });

  it('is, when created, the key HKDF-derived from the current key: the digests of before do not change', async () => {
    const names = freshNames();
    const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
    const key = await (await DataKeyStore.open(nc, names, box)).createSerialDigestKey();
    expect(key.equals(box.deriveKey(SERIAL_DIGEST_PURPOSE))).toBe(true);
    const loaded = await loadSerialDigester(nc, names, box);
    expect(loaded.digest('SN-001')).toBe(SerialDigester.fromSecretBox(box).digest('SN-001'));
    // stored sealed: the key is not in the bucket
    const raw =
      (await (await DataKeyStore.open(nc, names, box)).kv.get(SERIAL_DIGEST_KEY_ENTRY))?.string() ?? '';
    expect(raw).toContain(`"key_sealed":"v2:${box.fingerprint}:`);
    expect(raw).not.toContain(key.toString('base64'));
    expect(raw).not.toContain(key.toString('hex'));
  });

  it('stays the same through a rotation: opened with the previous key, re-sealed, then opened with the new one alone', async () => {
    const names = freshNames();
    const k1 = SecretBox.generateKeyText();
    const k2 = SecretBox.generateKeyText();
    await (await DataKeyStore.open(nc, names, SecretBox.fromKeyText(k1))).createSerialDigestKey();
    const before = await loadSerialDigester(nc, names, SecretBox.fromKeyText(k1));

    const ring = SecretBox.fromKeyText(k2).withPrevious(k1);
    const rotated = await DataKeyStore.open(nc, names, ring);
    expect((await loadSerialDigester(nc, names, ring)).digest('sn-9')).toBe(before.digest('SN-9'));
    expect(await rotated.keyUsage()).toEqual({
      total: 1,
      current: 0,
      previous: 1,
      unknown: 0,
      unreadable: 0,
    });
    expect(await rotated.reseal()).toEqual({ resealed: 1, unchanged: 0, unreadable: 0 });
    expect(await rotated.reseal()).toEqual({ resealed: 0, unchanged: 1, unreadable: 0 });
    expect(await rotated.keyUsage()).toEqual({
      total: 1,
      current: 1,
      previous: 0,
      unknown: 0,
      unreadable: 0,
    });

    const after = await loadSerialDigester(nc, names, SecretBox.fromKeyText(k2));
    expect(after.digest('SN-9')).toBe(before.digest('SN-9'));

    // a ring without the key it is sealed with fails the start, saying what to do, never a key
    const error = await loadSerialDigester(nc, names, SecretBox.fromKeyText(k1)).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ name: 'StoreError', kind: 'tampered' });
    const message = (error as Error).message;
    expect(message).toContain(SECRET_KEY_PREVIOUS_ENV);
    expect(message).toContain(`fingerprint ${SecretBox.fromKeyText(k2).fingerprint}`);
    for (const key of [k1, k2]) expect(message).not.toContain(key);
  });

  it('is not created by a ring with previous keys (an upgrade and a rotation at once): the start fails', async () => {
    const names = freshNames();
    const ring = SecretBox.fromKeyText(SecretBox.generateKeyText()).withPrevious(SecretBox.generateKeyText());
    const store = await DataKeyStore.open(nc, names, ring);
    await expect(store.createSerialDigestKey()).rejects.toMatchObject({ kind: 'missing' });
    expect(await store.kv.get(SERIAL_DIGEST_KEY_ENTRY)).toBeNull();
  });

  it('is not made again once deleted (it could differ from the one the digests are keyed by): the start fails', async () => {
    const names = freshNames();
    const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
    const store = await DataKeyStore.open(nc, names, box);
    await store.createSerialDigestKey();
    await store.kv.delete(SERIAL_DIGEST_KEY_ENTRY);
    await expect(store.createSerialDigestKey()).rejects.toMatchObject({
      name: 'StoreError',
      kind: 'missing',
      message: expect.stringContaining('the serial digest key was deleted'),
    });
  });

  it('is never created by the services that only read it (the tracker): they wait, then fail saying to start intake', async () => {
    const names = freshNames();
    // even a reader whose key differs from intake's would have made its own
    const reader = SecretBox.fromKeyText(SecretBox.generateKeyText());
    const waits: string[] = [];
    const error = await loadSerialDigester(nc, names, reader, {
      timeoutMs: 600,
      intervalMs: 50,
      onWaiting: (message) => waits.push(message),
    }).then(
      () => new Error('loaded'),
      (thrown: unknown) => thrown as Error,
    );
    expect(error).toMatchObject({ name: 'StoreError', kind: 'missing' });
    expect(error.message).toContain('intake creates it at its first start');
    expect(error.message).toContain('Backing up the key entry');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toContain(`KV ${names.buckets.keys}, key ${SERIAL_DIGEST_KEY_ENTRY}`);
    expect(await (await DataKeyStore.open(nc, names, reader)).kv.get(SERIAL_DIGEST_KEY_ENTRY)).toBeNull();
  });

  it('is read by a waiting service as soon as intake creates it', async () => {
    const names = freshNames();
    const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
    const waiting = loadSerialDigester(nc, names, box, { timeoutMs: 20_000, intervalMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const created = await (await DataKeyStore.open(nc, names, box)).createSerialDigestKey();
    expect((await waiting).digest('SN-7')).toBe(SerialDigester.fromKey(created).digest('SN-7'));
  });

  it('is not made again when lost while there is evidence it existed: intake fails saying to restore it, and a restored entry is used', async () => {
    const names = freshNames();
    const k1 = SecretBox.generateKeyText();
    const first = await DataKeyStore.open(nc, names, SecretBox.fromKeyText(k1));
    const original = await first.createSerialDigestKey();
    // the operator's backup of the entry (`nats kv get --raw`), then the bucket is lost
    const backup = (await first.kv.get(SERIAL_DIGEST_KEY_ENTRY))?.string() ?? '';
    await first.kv.destroy();

    // a rotation finished meanwhile: K2 alone, whose derived key differs from the one in use
    const k2 = SecretBox.fromKeyText(SecretBox.generateKeyText());
    const store = await DataKeyStore.open(nc, names, k2);
    const error = await store
      .createSerialDigestKey({ priorUse: async () => '2 instance record(s) sealed in the v2 format' })
      .then(
        () => new Error('created'),
        (thrown: unknown) => thrown as Error,
      );
    expect(error).toMatchObject({ name: 'StoreError', kind: 'missing' });
    expect(error.message).toContain('although this deployment already ran with it (2 instance record(s)');
    expect(error.message).toContain('restore the entry from its backup');
    expect(await store.kv.get(SERIAL_DIGEST_KEY_ENTRY)).toBeNull();

    // restored (`nats kv put`), it opens with a ring holding the key it was sealed with
    await store.kv.put(SERIAL_DIGEST_KEY_ENTRY, backup);
    const ring = SecretBox.fromKeyText(SecretBox.generateKeyText()).withPrevious(k1);
    const restored = await (await DataKeyStore.open(nc, names, ring)).createSerialDigestKey({
      priorUse: async () => 'evidence',
    });
    expect(restored.equals(original)).toBe(true);
  });

  it('is created, derived, on a deployment without evidence of it (new, or older than key rings)', async () => {
    const names = freshNames();
    const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
    const key = await (await DataKeyStore.open(nc, names, box)).createSerialDigestKey({
      priorUse: async () => undefined,
    });
    expect(key.equals(box.deriveKey(SERIAL_DIGEST_PURPOSE))).toBe(true);
  });

  it('re-seals and counts the data keys it can read, and counts as unreadable (by name) those it cannot', async () => {
    const names = freshNames();
    const k1 = SecretBox.generateKeyText();
    await (await DataKeyStore.open(nc, names, SecretBox.fromKeyText(k1))).createSerialDigestKey();
    const ring = SecretBox.fromKeyText(SecretBox.generateKeyText()).withPrevious(k1);
    const store = await DataKeyStore.open(nc, names, ring);
    await store.kv.put('a-broken-one', 'not json');
    await store.kv.put(
      'b-sealed-elsewhere',
      JSON.stringify({
        key_sealed: SecretBox.fromKeyText(SecretBox.generateKeyText()).seal('x', 'b-sealed-elsewhere'),
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
      }),
    );
    expect(await store.keyUsage()).toEqual({ total: 3, current: 0, previous: 1, unknown: 1, unreadable: 1 });
    const unreadable: string[] = [];
    expect(await store.reseal({ onUnreadable: (name) => unreadable.push(name) })).toEqual({
      resealed: 1,
      unchanged: 0,
      unreadable: 2,
    });
    expect(unreadable.sort()).toEqual(['a-broken-one', 'b-sealed-elsewhere']);
    expect(await store.keyUsage()).toMatchObject({ current: 1, previous: 0 });
  });
});
