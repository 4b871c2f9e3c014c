import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../client/logger.js';
import type { InstanceConfig } from '../instances/instance-config.schema.js';
import { InstanceCache } from './instance-cache.js';
import { InstanceRegistry, RegistryError } from './instance-registry.js';
import { SecretBox } from './secret-box.js';

const ns = testNamespace();
const bucket = `reg_${ns.id}`;
const box = SecretBox.fromKeyText(SecretBox.generateKeyText());

type Line = { level: string; obj: Record<string, unknown>; msg: string };
function recordingLogger(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: object, msg: string) => {
    lines.push({ level, obj: { ...obj }, msg });
  };
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}
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
    registry = await InstanceRegistry.open(nc, box, { bucket });
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
      bucket,
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

  it('refuses a new base_url without both credentials, and keeps the instance unchanged', async () => {
    await registry.add(instance('erp-move', {}));
    const error = await registry
      .update('erp-move', { base_url: 'https://elsewhere.example.net', api_key: 'key-erp-move-new-0001' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).kind).toBe('invalid');
    expect((error as RegistryError).problems.map((p) => p.path)).toEqual(['api_secret']);
    expect((error as RegistryError).message).toContain('never sent to a new address');
    expect((error as RegistryError).message).not.toContain('key-erp-move-new-0001');
    const both = await registry
      .update('erp-move', { base_url: 'https://elsewhere.example.net' })
      .catch((e: unknown) => e);
    expect((both as RegistryError).problems.map((p) => p.path)).toEqual(['api_key', 'api_secret']);
    expect((await registry.config('erp-move')).base_url).toBe('https://erp.example.com');
    // the same address written differently is no move
    await registry.update('erp-move', { base_url: 'https://ERP.example.com/', name: 'Same place' });
    const moved = await registry.update('erp-move', {
      base_url: 'https://elsewhere.example.net',
      api_key: 'key-erp-move-new-0001',
      api_secret: 'secret-erp-move-new',
    });
    expect(moved.base_url).toBe('https://elsewhere.example.net');
    expect(await registry.config('erp-move')).toMatchObject({ api_secret: 'secret-erp-move-new' });
    await registry.remove('erp-move');
  });

  it('shows the last four characters of an API key only when it has at least 12', async () => {
    expect((await registry.add(instance('erp-short', { api_key: 'k-12345' }))).api_key_hint).toBe('');
    expect((await registry.describe('erp-short')).api_key_hint).toBe('');
    const twelve = await registry.update('erp-short', { api_key: 'abcdefgh1234' });
    expect(twelve.api_key_hint).toBe('1234');
    await registry.remove('erp-short');
  });

  it('refuses a write timeout not greater than the worker timeout, on add and on update', async () => {
    const bad = registry.add(instance('erp-t', { worker_timeout_ms: 60_000, write_timeout_ms: 60_000 }));
    await expect(bad).rejects.toMatchObject({ kind: 'invalid' });
    const error = (await bad.catch((e: unknown) => e)) as RegistryError;
    expect(error.problems.map((p) => p.path)).toEqual(['write_timeout_ms']);
    expect(error.message).toContain('write_timeout_ms: must be greater than worker_timeout_ms (60000 ms)');
    await registry.add(instance('erp-t', { worker_timeout_ms: 60_000, write_timeout_ms: 70_000 }));
    await expect(registry.update('erp-t', { worker_timeout_ms: 70_000 })).rejects.toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'write_timeout_ms' }],
    });
    expect((await registry.describe('erp-t')).worker_timeout_ms).toBe(60_000);
    await registry.remove('erp-t');
  });

  it('keeps no history: after an update and a remove, no revision holds an earlier sealed credential', async () => {
    const history = async (key: string) => {
      const entries: Array<{ operation: string; text: string }> = [];
      for await (const entry of await registry.kv.history({ key })) {
        entries.push({ operation: entry.operation, text: entry.string() });
      }
      return entries;
    };
    const sealed = async (key: string) =>
      JSON.parse((await registry.kv.get(key))?.string() ?? '{}') as {
        api_key_sealed: string;
        api_secret_sealed: string;
      };
    expect((await registry.kv.status()).history).toBe(1);
    await registry.add(instance('erp-h'));
    const first = await sealed('erp-h');
    await registry.update('erp-h', { api_secret: 'rotated-erp-h-secret', api_key: 'rotated-erp-h-key' });
    const second = await sealed('erp-h');
    expect(second.api_secret_sealed).not.toBe(first.api_secret_sealed);
    const afterUpdate = await history('erp-h');
    expect(afterUpdate.map((e) => e.operation)).toEqual(['PUT']);
    expect(afterUpdate[0]?.text).toContain(second.api_secret_sealed);
    await registry.remove('erp-h');
    const afterRemove = await history('erp-h');
    expect(afterRemove.map((e) => e.operation)).toEqual(['PURGE']);
    const text = JSON.stringify(afterRemove);
    for (const value of [first, second].flatMap((s) => [s.api_key_sealed, s.api_secret_sealed])) {
      expect(text).not.toContain(value);
    }
    // the id can be used again
    await registry.add(instance('erp-h'));
    expect((await registry.config('erp-h')).api_secret).toBe('secret-erp-h-do-not-leak');
    await registry.remove('erp-h');
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

  it('a cache listener that throws is logged, and the others and later updates still run', async () => {
    const { logger, lines } = recordingLogger();
    const cache = await InstanceCache.start(registry, { logger });
    try {
      const seen: string[] = [];
      cache.onChange(() => {
        throw new Error('listener bug');
      });
      cache.onChange((id, config) => seen.push(`${id}:${config?.name ?? 'removed'}`));
      await registry.add(instance('erp-l'));
      await registry.update('erp-l', { name: 'Later' });
      await registry.remove('erp-l');
      await expect
        .poll(() => seen, { timeout: 5000 })
        .toEqual(['erp-l:ERP erp-l', 'erp-l:Later', 'erp-l:removed']);
      expect(cache.get('erp-l')).toBeUndefined();
      const thrown = lines.filter((l) => l.msg === 'instance cache: a change listener threw');
      expect(thrown).toHaveLength(3);
      expect(thrown[0]).toMatchObject({
        level: 'error',
        obj: { instance: 'erp-l', error: 'Error: listener bug' },
      });
    } finally {
      cache.stop();
    }
  });

  it('a record sealed with another key is skipped and logged without secrets; the cache goes on', async () => {
    const { logger, lines } = recordingLogger();
    const cache = await InstanceCache.start(registry, { logger });
    const otherKey = await InstanceRegistry.open(nc, SecretBox.fromKeyText(SecretBox.generateKeyText()), {
      bucket,
    });
    try {
      const seen: string[] = [];
      cache.onChange((id, config) => seen.push(`${id}:${config?.name ?? 'removed'}`));
      await otherKey.add(instance('erp-x'));
      await registry.add(instance('erp-y'));
      await expect.poll(() => seen, { timeout: 5000 }).toEqual(['erp-y:ERP erp-y']);
      expect(cache.get('erp-x')).toBeUndefined();
      expect(cache.ids()).toEqual(['erp-a', 'erp-y']);
      const skipped = lines.filter((l) => l.obj.instance === 'erp-x');
      expect(skipped).toHaveLength(1);
      expect(skipped[0]).toMatchObject({
        level: 'warn',
        msg: 'instance cache: a registry record cannot be opened; the instance is treated as absent',
      });
      expect(String(skipped[0]?.obj.error)).toContain('does not open with INTERCO_SECRET_KEY');
      const raw = (await registry.kv.get('erp-x'))?.string() ?? '';
      const stored = JSON.parse(raw) as { api_secret_sealed: string };
      const logged = JSON.stringify(lines);
      expect(logged).not.toContain('secret-erp-x');
      expect(logged).not.toContain(stored.api_secret_sealed);
      // a cache started while such a record is there loads the others
      const fresh = await InstanceCache.start(registry, { logger });
      expect(fresh.ids()).toEqual(['erp-a', 'erp-y']);
      fresh.stop();
    } finally {
      cache.stop();
      await registry.remove('erp-x');
      await registry.remove('erp-y');
    }
  });

  it('a watch that ends after the load (its connection closed) is logged, not thrown', async () => {
    const { logger, lines } = recordingLogger();
    const own = await connect({ servers: natsUrl() });
    const ownRegistry = await InstanceRegistry.open(own, box, { bucket });
    const cache = await InstanceCache.start(ownRegistry, { logger });
    expect(cache.ids()).toEqual(['erp-a']);
    await own.close();
    await expect
      .poll(() => lines.map((l) => `${l.level} ${l.msg}`), { timeout: 5000 })
      .toEqual([expect.stringMatching(/^error instance cache: the registry watch (ended|failed)/)]);
    cache.stop();
  });
});
