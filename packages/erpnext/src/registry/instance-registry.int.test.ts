import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceConfig } from '../instances/instance-config.schema.js';
import { InstanceCache } from './instance-cache.js';
import { InstanceRegistry, RegistryError } from './instance-registry.js';
import { SecretBox } from './secret-box.js';

const ns = testNamespace();
const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
const instance = (id: string, more: Partial<InstanceConfig> = {}): InstanceConfig => ({
  id,
  name: `ERP ${id}`,
  base_url: 'https://erp.example.com/',
  api_key: `key-${id}-0123456789`,
  api_secret: `secret-${id}-do-not-leak`,
  ...more,
});

describe('InstanceRegistry (JetStream KV)', () => {
  let nc: NatsConnection;
  let registry: InstanceRegistry;
  beforeAll(async () => {
    nc = await connect({ servers: natsUrl() });
    registry = await InstanceRegistry.open(nc, box, { bucket: `reg_${ns.id}` });
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('adds, describes and lists instances without their credentials', async () => {
    const summary = await registry.add(instance('erp-a', { max_in_flight: 3 }));
    expect(summary).toMatchObject({
      id: 'erp-a',
      name: 'ERP erp-a',
      base_url: 'https://erp.example.com',
      api_key_hint: '6789',
      max_in_flight: 3,
    });
    await registry.add(instance('erp-b'));
    const listed = await registry.list();
    expect(listed.map((s) => s.id)).toEqual(['erp-a', 'erp-b']);
    const text = JSON.stringify([listed, await registry.describe('erp-a')]);
    expect(text).not.toContain('secret-erp-a');
    expect(text).not.toContain('key-erp-a');
  });

  it('keeps credentials encrypted at rest (the raw KV value)', async () => {
    const raw = (await registry.kv.get('erp-a'))?.string() ?? '';
    expect(raw).toContain('api_secret_sealed');
    expect(raw).not.toContain('secret-erp-a-do-not-leak');
    expect(raw).not.toContain('key-erp-a-0123456789');
    expect(await registry.config('erp-a')).toMatchObject({
      api_key: 'key-erp-a-0123456789',
      api_secret: 'secret-erp-a-do-not-leak',
    });
  });

  it('cannot open credentials with another key', async () => {
    const other = await InstanceRegistry.open(nc, SecretBox.fromKeyText(SecretBox.generateKeyText()), {
      bucket: `reg_${ns.id}`,
    });
    await expect(other.config('erp-a')).rejects.toThrow('does not open with INTERCO_SECRET_KEY');
  });

  it('refuses an id taken, an unknown id, and invalid input with every problem', async () => {
    await expect(registry.add(instance('erp-a'))).rejects.toMatchObject({
      kind: 'conflict',
      message: 'instance erp-a already exists',
    });
    await expect(registry.describe('nope')).rejects.toMatchObject({ kind: 'not_found' });
    await expect(registry.update('nope', { name: 'x' })).rejects.toBeInstanceOf(RegistryError);
    const bad = registry.add({
      ...instance('erp c'),
      base_url: 'https://u:hunter2@erp.example.com',
      api_secret: '',
    });
    await expect(bad).rejects.toMatchObject({ kind: 'invalid' });
    const error = (await bad.catch((e: unknown) => e)) as RegistryError;
    expect(error.problems.map((p) => p.path).sort()).toEqual(['api_secret', 'base_url', 'id']);
    expect(error.message).not.toContain('hunter2');
  });

  it('updates, keeping what is not changed, and removes', async () => {
    const updated = await registry.update('erp-b', { name: 'Compania B', api_secret: 'rotated-secret' });
    expect(updated.name).toBe('Compania B');
    expect(await registry.config('erp-b')).toMatchObject({
      api_key: 'key-erp-b-0123456789',
      api_secret: 'rotated-secret',
    });
    await registry.remove('erp-b');
    await expect(registry.config('erp-b')).rejects.toMatchObject({ kind: 'not_found' });
    expect((await registry.list()).map((s) => s.id)).toEqual(['erp-a']);
  });

  it('tests an instance with a probe', async () => {
    expect(await registry.test('erp-a', async (config) => `user of ${config.id}`)).toEqual({
      ok: true,
      user: 'user of erp-a',
    });
    expect(
      await registry.test('erp-a', async () => Promise.reject(new Error('401 AuthenticationError'))),
    ).toEqual({
      ok: false,
      error: '401 AuthenticationError',
    });
  });

  it('feeds a cache that follows additions, changes and removals (KV watch)', async () => {
    const cache = await InstanceCache.start(registry);
    try {
      expect(cache.ids()).toEqual(['erp-a']);
      const seen: string[] = [];
      cache.onChange((id, config) => seen.push(`${id}:${config?.name ?? 'removed'}`));
      await registry.add(instance('erp-c'));
      await registry.update('erp-c', { name: 'Renamed' });
      await registry.remove('erp-c');
      await expect
        .poll(() => seen, { timeout: 5000 })
        .toEqual(['erp-c:ERP erp-c', 'erp-c:Renamed', 'erp-c:removed']);
      expect(cache.get('erp-c')).toBeUndefined();
      expect(cache.get('erp-a')?.api_secret).toBe('secret-erp-a-do-not-leak');
    } finally {
      cache.stop();
    }
  });
});
