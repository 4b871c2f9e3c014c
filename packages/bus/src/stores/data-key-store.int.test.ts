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
        return store.serialDigestKey();
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
    const key = await (await DataKeyStore.open(nc, names, box)).serialDigestKey();
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
    const before = await loadSerialDigester(nc, names, SecretBox.fromKeyText(k1));

    const ring = SecretBox.fromKeyText(k2).withPrevious(k1);
    const rotated = await DataKeyStore.open(nc, names, ring);
    expect((await loadSerialDigester(nc, names, ring)).digest('sn-9')).toBe(before.digest('SN-9'));
    expect(await rotated.keyUsage()).toEqual({ total: 1, current: 0, previous: 1, unknown: 0 });
    expect(await rotated.reseal()).toEqual({ resealed: 1, unchanged: 0 });
    expect(await rotated.reseal()).toEqual({ resealed: 0, unchanged: 1 });
    expect(await rotated.keyUsage()).toEqual({ total: 1, current: 1, previous: 0, unknown: 0 });

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
    await expect(loadSerialDigester(nc, names, ring)).rejects.toMatchObject({ kind: 'missing' });
    expect(await (await DataKeyStore.open(nc, names, ring)).kv.get(SERIAL_DIGEST_KEY_ENTRY)).toBeNull();
  });

  it('is not made again once deleted (it could differ from the one the digests are keyed by): the start fails', async () => {
    const names = freshNames();
    const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
    const store = await DataKeyStore.open(nc, names, box);
    await store.serialDigestKey();
    await store.kv.delete(SERIAL_DIGEST_KEY_ENTRY);
    await expect(loadSerialDigester(nc, names, box)).rejects.toMatchObject({
      name: 'StoreError',
      kind: 'missing',
      message: expect.stringContaining('the serial digest key was deleted'),
    });
  });
});
