import type { KvWatchEntry } from '@nats-io/kv';
import { type Logger, silentLogger } from '../client/logger.js';
import type { InstanceConfig } from '../instances/instance-config.schema.js';
import { parseStored } from './instance-registry.js';
import type { StoredInstance } from './stored-instance.schema.js';

/** What the cache reads of a watch entry. */
export type CacheWatchEntry = Pick<KvWatchEntry, 'key' | 'operation' | 'revision' | 'isUpdate' | 'delta'> & {
  string(): string;
};

/** A KV watch as the cache uses it (the registry's `kv.watch()` answers one). */
export interface CacheWatch extends AsyncIterable<CacheWatchEntry> {
  stop(): void;
}

/** What the cache needs of the registry: an InstanceRegistry fits as it is. */
export interface CacheSource {
  readonly kv: {
    watch(): Promise<CacheWatch>;
    status(): Promise<{ values: number }>;
  };
  openStored(stored: StoredInstance): InstanceConfig;
}

export interface InstanceCacheOptions {
  /** Where the cache reports a watch that failed, a listener that threw, a record that does not open. */
  logger?: Logger;
}

export type InstanceListener = (id: string, config: InstanceConfig | undefined) => void;

/**
 * A reader's copy of the registry, kept current by a KV watch: the step services look
 * instances up here on every message without a round trip, and see additions, changes and
 * removals as they happen. Credentials are opened once per change, held in memory only.
 *
 * The watch runs detached: nothing it meets stops it or escapes as an unhandled rejection. A
 * listener that throws is logged and the others still run; a record that cannot be opened
 * (sealed with another key, corrupt) is logged, without its content, and treated as absent. If
 * the watch ends or fails before the current state is loaded, `start()` rejects; if it ends
 * later (not through `stop()`), that is logged: the cache no longer follows changes.
 *
 * A service that keeps a client per instance must close the client it replaces: on
 * `onChange(id, config)`, build the new client (if any) and `close()` the old one.
 */
export class InstanceCache {
  readonly #configs = new Map<string, InstanceConfig>();
  readonly #listeners = new Set<InstanceListener>();
  readonly #source: CacheSource;
  readonly #logger: Logger;
  #stop: () => void = () => {};
  #stopped = false;

  private constructor(source: CacheSource, logger: Logger) {
    this.#source = source;
    this.#logger = logger;
  }

  /** Loads every instance, then follows changes; resolves once the current state is loaded. */
  static async start(source: CacheSource, options: InstanceCacheOptions = {}): Promise<InstanceCache> {
    const cache = new InstanceCache(source, options.logger ?? silentLogger);
    const watch = await source.kv.watch();
    cache.#stop = () => watch.stop();
    try {
      await cache.#follow(watch, (await source.kv.status()).values);
    } catch (error) {
      cache.stop();
      throw error;
    }
    return cache;
  }

  get(id: string): InstanceConfig | undefined {
    return this.#configs.get(id);
  }

  ids(): string[] {
    return [...this.#configs.keys()].sort();
  }

  /** Called with the new configuration, or undefined when an instance was removed. */
  onChange(listener: InstanceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#stopped = true;
    this.#stop();
  }

  /**
   * Runs the watch loop, detached; resolves once the `initial` entries present at the start have
   * been applied, rejects if the watch ends or fails before that.
   */
  #follow(watch: CacheWatch, initial: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let loaded = false;
      const ready = () => {
        loaded = true;
        resolve();
      };
      let pending = initial;
      if (pending === 0) ready();
      const loop = async () => {
        for await (const entry of watch) {
          this.#apply(entry);
          if (!entry.isUpdate && --pending <= 0) ready();
          if (entry.delta === 0) ready();
        }
      };
      loop().then(
        () => {
          if (!loaded) {
            reject(new Error('the registry watch ended before the instances were loaded'));
          } else if (!this.#stopped) {
            this.#logger.error(
              {},
              'instance cache: the registry watch ended; changes are no longer followed',
            );
          }
        },
        (error: unknown) => {
          const reason = errorText(error);
          if (!loaded) {
            reject(new Error(`the registry watch failed before the instances were loaded: ${reason}`));
          } else {
            this.#logger.error(
              { error: reason },
              'instance cache: the registry watch failed; changes are no longer followed',
            );
          }
        },
      );
    });
  }

  #apply(entry: CacheWatchEntry): void {
    let config: InstanceConfig | undefined;
    if (entry.operation === 'PUT') {
      try {
        config = this.#source.openStored(parseStored(entry.string(), entry.key));
      } catch (error) {
        // A record that does not open (another key, corrupt) is treated as absent. The errors of
        // parseStored and SecretBox name the record, never its content.
        this.#logger.warn(
          { instance: entry.key, revision: entry.revision, error: errorText(error) },
          'instance cache: a registry record cannot be opened; the instance is treated as absent',
        );
        config = undefined;
      }
    }
    const before = this.#configs.get(entry.key);
    const known = before !== undefined;
    // A record re-sealed with another key (a key rotation) is the same configuration: the
    // listeners keep their clients (and breakers).
    if (config !== undefined && before !== undefined && sameConfig(before, config)) return;
    if (config === undefined) this.#configs.delete(entry.key);
    else this.#configs.set(entry.key, config);
    if (config === undefined && !known) return; // nothing the listeners knew has changed
    for (const listener of this.#listeners) {
      try {
        listener(entry.key, config);
      } catch (error) {
        this.#logger.error(
          { instance: entry.key, error: errorText(error) },
          'instance cache: a change listener threw',
        );
      }
    }
  }
}

function sameConfig(a: InstanceConfig, b: InstanceConfig): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key as keyof InstanceConfig] === b[key as keyof InstanceConfig]);
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}
