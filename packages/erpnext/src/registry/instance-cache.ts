import type { KvWatchEntry } from '@nats-io/kv';
import type { InstanceConfig } from '../instances/instance-config.schema.js';
import { type InstanceRegistry, parseStored } from './instance-registry.js';

/**
 * A reader's copy of the registry, kept current by a KV watch: the step services look
 * instances up here on every message without a round trip, and see additions, changes and
 * removals as they happen. Credentials are opened once per change, held in memory only.
 */
export class InstanceCache {
  readonly #configs = new Map<string, InstanceConfig>();
  readonly #listeners = new Set<(id: string, config: InstanceConfig | undefined) => void>();
  #stop: () => void = () => {};

  private constructor(private readonly registry: InstanceRegistry) {}

  /** Loads every instance, then follows changes; resolves once the current state is loaded. */
  static async start(registry: InstanceRegistry): Promise<InstanceCache> {
    const cache = new InstanceCache(registry);
    const watch = await registry.kv.watch();
    cache.#stop = () => watch.stop();
    const status = await registry.kv.status();
    let pendingInitial = status.values;
    let markReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    if (pendingInitial === 0) markReady();
    void (async () => {
      for await (const entry of watch) {
        cache.#apply(entry);
        if (!entry.isUpdate && --pendingInitial <= 0) markReady();
        if (entry.delta === 0) markReady();
      }
    })();
    await ready;
    return cache;
  }

  get(id: string): InstanceConfig | undefined {
    return this.#configs.get(id);
  }

  ids(): string[] {
    return [...this.#configs.keys()].sort();
  }

  /** Called with the new configuration, or undefined when an instance was removed. */
  onChange(listener: (id: string, config: InstanceConfig | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#stop();
  }

  #apply(entry: KvWatchEntry): void {
    let config: InstanceConfig | undefined;
    if (entry.operation === 'PUT') {
      try {
        config = this.registry.openStored(parseStored(entry.string(), entry.key));
      } catch {
        // a record that does not open (wrong key, corrupt) is treated as absent
        config = undefined;
      }
    }
    if (config === undefined) this.#configs.delete(entry.key);
    else this.#configs.set(entry.key, config);
    for (const listener of this.#listeners) listener(entry.key, config);
  }
}
