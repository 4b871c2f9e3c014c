import { newTransferId } from '@interco/contracts';
import { SecretBox } from '@interco/erpnext';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { sampleRequest } from '../test-support/store-fixtures.js';
import { ManifestStore } from './manifest-store.js';
import { requestDigest } from './request-digest.js';

const names = busNames(testNamespace().subjectPrefix);
const box = SecretBox.fromKeyText(SecretBox.generateKeyText());

describe('ManifestStore (JetStream Object Store)', () => {
  let nc: NatsConnection;
  let manifests: ManifestStore;
  beforeAll(async () => {
    nc = await connectNats({ url: natsUrl(), name: 'manifest-store-int-test' });
    manifests = await ManifestStore.open(nc, names, box);
  });
  afterAll(async () => {
    await manifests?.store.destroy().catch(() => undefined);
    await nc?.close();
  });

  it('stores a sealed manifest and gives it back', async () => {
    const transferId = newTransferId();
    const request = sampleRequest(5, 2);
    const { ref, digest } = await manifests.put(transferId, request);
    expect(ref).toBe(`${names.buckets.manifests}/${transferId}`);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digest).not.toBe(requestDigest({ ...request, supplier: 'x' }));
    expect(await manifests.get(ref, digest, transferId)).toEqual(request);
    // at rest: sealed, no serial in clear
    const raw = new TextDecoder().decode((await manifests.store.getBlob(transferId)) ?? new Uint8Array());
    expect(raw).toMatch(/^v2:/);
    expect(raw).not.toContain('SN-0-0');
  });

  it('does not open under another transfer id, with another key, or with another digest', async () => {
    const transferId = newTransferId();
    const { ref, digest } = await manifests.put(transferId, sampleRequest(3));
    await expect(manifests.get(ref, digest, newTransferId())).rejects.toMatchObject({ kind: 'tampered' });
    const otherKey = await ManifestStore.open(nc, names, SecretBox.fromKeyText(SecretBox.generateKeyText()));
    await expect(otherKey.get(ref, digest, transferId)).rejects.toMatchObject({ kind: 'tampered' });
    await expect(manifests.get(ref, `sha256:${'0'.repeat(64)}`, transferId)).rejects.toMatchObject({
      kind: 'tampered',
    });
  });

  it('detects a manifest copied under another id, or altered', async () => {
    const a = newTransferId();
    const b = newTransferId();
    const { digest } = await manifests.put(a, sampleRequest(3));
    const sealed = (await manifests.store.getBlob(a)) ?? new Uint8Array();
    await manifests.store.putBlob({ name: b }, sealed);
    await expect(manifests.get(`${names.buckets.manifests}/${b}`, digest, b)).rejects.toMatchObject({
      kind: 'tampered',
    });
    const text = new TextDecoder().decode(sealed);
    const at = text.length - 3;
    const altered = `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    await manifests.store.putBlob({ name: a }, new TextEncoder().encode(altered));
    await expect(manifests.get(`${names.buckets.manifests}/${a}`, digest, a)).rejects.toMatchObject({
      kind: 'tampered',
    });
  });

  it('says missing, invalid ref, and invalid content', async () => {
    const transferId = newTransferId();
    const digest = `sha256:${'0'.repeat(64)}`;
    await expect(
      manifests.get(`${names.buckets.manifests}/${transferId}`, digest, transferId),
    ).rejects.toMatchObject({
      kind: 'missing',
    });
    await expect(manifests.get(`other_manifests/${transferId}`, digest, transferId)).rejects.toMatchObject({
      kind: 'invalid',
    });
    await expect(manifests.get(transferId, digest, transferId)).rejects.toMatchObject({ kind: 'invalid' });
    // sealed properly, but not a transfer request
    const json = JSON.stringify({ items: [] });
    await manifests.store.putBlob({ name: transferId }, new TextEncoder().encode(box.seal(json, transferId)));
    const { createHash } = await import('node:crypto');
    const jsonDigest = `sha256:${createHash('sha256').update(json).digest('hex')}`;
    await expect(
      manifests.get(`${names.buckets.manifests}/${transferId}`, jsonDigest, transferId),
    ).rejects.toMatchObject({ kind: 'invalid' });
    await expect(manifests.put(transferId, { items: [] } as never)).rejects.toMatchObject({
      kind: 'invalid',
    });
  });

  it('tells the key a manifest needs from its start alone (v2, nothing decrypted), opening a v1 one whole', async () => {
    const own = busNames(`${names.subjectPrefix}_heads`);
    const oldKey = SecretBox.generateKeyText();
    const old = await ManifestStore.open(nc, own, SecretBox.fromKeyText(oldKey));
    const ring = SecretBox.fromKeyText(SecretBox.generateKeyText()).withPrevious(oldKey);
    const store = await ManifestStore.open(nc, own, ring);
    const stored = async (id: string, text: string) => {
      await store.store.putBlob({ name: id }, new TextEncoder().encode(text));
      return `${own.buckets.manifests}/${id}`;
    };
    try {
      expect(await store.someSealedInV2()).toBe(false);
      // a manifest older than key rings (v1: the v2 parts without the fingerprint) is opened to tell
      const v1Id = newTransferId();
      const v1 = ['v1', ...SecretBox.fromKeyText(oldKey).seal('{}', v1Id).split(':').slice(2)].join(':');
      expect(await store.sealingKey(await stored(v1Id, v1), v1Id)).toBe('previous');
      expect(await store.someSealedInV2()).toBe(false);

      // v2: the fingerprint at its start tells, the body is not read nor decrypted (so an altered
      // body is not noticed here: the steps' reads are what check it)
      const bigId = newTransferId();
      const big = ring.seal('x'.repeat(400_000), bigId);
      expect(await store.sealingKey(await stored(bigId, `${big.slice(0, -8)}AAAAAAAA`), bigId)).toBe(
        'current',
      );
      const oldId = newTransferId();
      expect(await store.sealingKey((await old.put(oldId, sampleRequest(2))).ref, oldId)).toBe('previous');
      const strangerId = newTransferId();
      const stranger = await ManifestStore.open(nc, own, SecretBox.fromKeyText(SecretBox.generateKeyText()));
      expect(await store.sealingKey((await stranger.put(strangerId, sampleRequest(1))).ref, strangerId)).toBe(
        undefined,
      );
      const junkId = newTransferId();
      expect(await store.sealingKey(await stored(junkId, 'not sealed at all'), junkId)).toBe('unreadable');
      expect(await store.someSealedInV2()).toBe(true);
    } finally {
      await store.store.destroy().catch(() => undefined);
    }
  });

  it('deletes a manifest, and a missing one is fine', async () => {
    const transferId = newTransferId();
    const { ref, digest } = await manifests.put(transferId, sampleRequest(3));
    await manifests.delete(ref);
    await expect(manifests.get(ref, digest, transferId)).rejects.toMatchObject({ kind: 'missing' });
    await manifests.delete(ref);
    await manifests.delete(`${names.buckets.manifests}/${newTransferId()}`);
  });

  it('round-trips 100,000 serials', async () => {
    const transferId = newTransferId();
    const request = sampleRequest(100_000, 20, 'PIN-ABCDEFGHIJ');
    let started = performance.now();
    const { ref, digest } = await manifests.put(transferId, request);
    const putMs = performance.now() - started;
    const info = await manifests.store.info(transferId);
    started = performance.now();
    const back = await manifests.get(ref, digest, transferId);
    const getMs = performance.now() - started;
    expect(back).toEqual(request);
    console.log(
      `manifest of 100,000 serials: ${((info?.size ?? 0) / 1e6).toFixed(1)} MB sealed, put ${putMs.toFixed(0)} ms, get ${getMs.toFixed(0)} ms`,
    );
  });
});
