import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceConfig } from '../instances/instance-config.schema.js';
import { sealV1 } from '../test-support/sealed-v1.js';
import { InstanceCache } from './instance-cache.js';
import { InstanceRegistry } from './instance-registry.js';
import { SecretBox } from './secret-box.js';

const ns = testNamespace();
const bucket = `reseal_${ns.id}`;
const k1 = SecretBox.generateKeyText();
const k2 = SecretBox.generateKeyText();

const instance = (id: string): InstanceConfig => ({
  id,
  name: `ERP ${id}`,
  base_url: 'https://erp.example.com/',
  api_key: `key-${id}-0123456789`,
  api_secret: `secret-${id}-do-not-leak`,
});

describe('InstanceRegistry across a rotation of INTERCO_SECRET_KEY', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: natsUrl() });
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('opens credentials sealed with the previous key (v1 and v2), re-seals them once, then needs only the new key', async () => {
    const before = await InstanceRegistry.open(nc, SecretBox.fromKeyText(k1), { bucket });
    await before.add(instance('erp-a'));
    await before.add(instance('erp-b'));
    // erp-b as a deployment older than key rings stored it: v1 values
    const stored = JSON.parse((await before.kv.get('erp-b'))?.string() ?? '{}') as Record<string, string>;
    await before.kv.put(
      'erp-b',
      JSON.stringify({
        ...stored,
        api_key_sealed: sealV1(k1, 'key-erp-b-0123456789', 'erp-b:api_key'),
        api_secret_sealed: sealV1(k1, 'secret-erp-b-do-not-leak', 'erp-b:api_secret'),
      }),
    );
    const summariesBefore = await before.list();

    const rotated = await InstanceRegistry.open(nc, SecretBox.fromKeyText(k2).withPrevious(k1), { bucket });
    expect(await rotated.config('erp-a')).toEqual({
      ...instance('erp-a'),
      base_url: 'https://erp.example.com',
    });
    expect((await rotated.config('erp-b')).api_secret).toBe('secret-erp-b-do-not-leak');
    // a new instance is sealed with the new key
    await rotated.add(instance('erp-c'));
    expect(await rotated.keyUsage()).toEqual({
      total: 3,
      current: 1,
      previous: 2,
      unknown: 0,
      unreadable: 0,
    });

    // a step's cache sees no change in a re-seal: its clients (and breakers) stay
    const cache = await InstanceCache.start(rotated);
    const changes: string[] = [];
    cache.onChange((id) => changes.push(id));
    expect(await rotated.reseal()).toEqual({ resealed: 2, unchanged: 1, unreadable: 0 });
    await rotated.update('erp-c', { name: 'ERP C renamed' });
    await expect.poll(() => changes, { timeout: 5000 }).toEqual(['erp-c']);
    expect(cache.get('erp-b')?.api_secret).toBe('secret-erp-b-do-not-leak');
    cache.stop();

    expect(await rotated.reseal()).toEqual({ resealed: 0, unchanged: 3, unreadable: 0 });
    expect(await rotated.keyUsage()).toEqual({
      total: 3,
      current: 3,
      previous: 0,
      unknown: 0,
      unreadable: 0,
    });
    // nothing but the sealing changed
    expect((await rotated.list()).filter((s) => s.id !== 'erp-c')).toEqual(summariesBefore);

    const newOnly = await InstanceRegistry.open(nc, SecretBox.fromKeyText(k2), { bucket });
    for (const id of ['erp-a', 'erp-b', 'erp-c']) {
      expect((await newOnly.config(id)).api_key).toBe(`key-${id}-0123456789`);
    }
    // the old key alone opens nothing any more, and the message names no key
    const oldOnly = await InstanceRegistry.open(nc, SecretBox.fromKeyText(k1), { bucket });
    const error = await oldOnly.config('erp-a').catch((thrown: unknown) => thrown as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('does not open with INTERCO_SECRET_KEY');
    expect((error as Error).message).not.toContain(k1);
    expect((error as Error).message).not.toContain(k2);
    expect(await oldOnly.keyUsage()).toEqual({
      total: 3,
      current: 0,
      previous: 0,
      unknown: 3,
      unreadable: 0,
    });
  });

  it('re-seals every record it can read: one it cannot is counted (its id told, not its content) and the rest go on', async () => {
    const own = `${bucket}_unreadable`;
    const before = await InstanceRegistry.open(nc, SecretBox.fromKeyText(k1), { bucket: own });
    try {
      for (const id of ['erp-a', 'erp-c', 'erp-e']) await before.add(instance(id));
      // 'erp-b': not JSON; 'erp-d': credentials sealed with a key no ring holds
      await before.kv.put('erp-b', 'secret-content-not-json');
      const stranger = await InstanceRegistry.open(nc, SecretBox.fromKeyText(SecretBox.generateKeyText()), {
        bucket: own,
      });
      await stranger.add(instance('erp-d'));
      expect(await before.sealedInV2()).toBe(4);

      const rotated = await InstanceRegistry.open(nc, SecretBox.fromKeyText(k2).withPrevious(k1), {
        bucket: own,
      });
      expect(await rotated.keyUsage()).toEqual({
        total: 5,
        current: 0,
        previous: 3,
        unknown: 1,
        unreadable: 1,
      });
      const told: [string, string][] = [];
      expect(await rotated.reseal({ onUnreadable: (id, reason) => told.push([id, reason]) })).toEqual({
        resealed: 3,
        unchanged: 0,
        unreadable: 2,
      });
      expect(told.map(([id]) => id).sort()).toEqual(['erp-b', 'erp-d']);
      expect(told.join(' ')).not.toContain('secret-content');
      expect(told.join(' ')).not.toContain('do-not-leak');
      // a second run: the readable ones are done, the others still counted
      expect(await rotated.reseal()).toEqual({ resealed: 0, unchanged: 3, unreadable: 2 });
      expect(
        (
          await InstanceRegistry.open(nc, SecretBox.fromKeyText(k2), { bucket: own }).then((r) =>
            r.config('erp-e'),
          )
        ).api_key,
      ).toBe('key-erp-e-0123456789');
    } finally {
      await before.kv.destroy().catch(() => undefined);
    }
  });
  describe('a re-seal whose compare-and-set keeps failing', () => {
    /**
     * The registry after a rotation, whose bucket's `update` first loses `races` real races (a
     * writer puts the record again just before it) and then, if `then` is given, throws it.
     */
    const racing = async (own: string, races: number, then?: Error) => {
      const before = await InstanceRegistry.open(nc, SecretBox.fromKeyText(k1), { bucket: own });
      await before.add(instance('erp-a'));
      const rotated = await InstanceRegistry.open(nc, SecretBox.fromKeyText(k2).withPrevious(k1), {
        bucket: own,
      });
      const update = rotated.kv.update.bind(rotated.kv);
      let tries = 0;
      rotated.kv.update = async (key, value, revision) => {
        tries++;
        if (tries > races && then !== undefined) throw then;
        if (tries <= races) await before.kv.put(key, (await before.kv.get(key))?.string() ?? '');
        return update(key, value, revision);
      };
      return { before, rotated, tries: () => tries };
    };

    it('lost to other writers on every try: a conflict, run it again', async () => {
      const { before, rotated, tries } = await racing(`${bucket}_races`, 5);
      try {
        await expect(rotated.reseal()).rejects.toMatchObject({ kind: 'conflict' });
        expect(tries()).toBe(5);
      } finally {
        await before.kv.destroy().catch(() => undefined);
      }
    });

    it('another error on the last try is that error, not a conflict', async () => {
      const gone = new Error('the NATS connection went away');
      const { before, rotated, tries } = await racing(`${bucket}_last`, 4, gone);
      try {
        await expect(rotated.reseal()).rejects.toBe(gone);
        expect(tries()).toBe(5);
      } finally {
        await before.kv.destroy().catch(() => undefined);
      }
    });
  });
});
