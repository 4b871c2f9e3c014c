import type { KvEntry } from '@nats-io/kv';
import { type AuthLogger, silentLogger } from './logger.js';
import { parseTokenRecord } from './token-record.schema.js';
import type { TokenLookup } from './verify-token.js';

/** What the cache reads of a watch entry (a `KvWatchEntry` fits). */
export type TokenWatchEntry = Pick<KvEntry, 'key' | 'operation' | 'revision'> & {
  readonly isUpdate: boolean;
  string(): string;
};

/** A KV watch as the cache uses it (`kv.watch()` answers one). */
export interface TokenWatch extends AsyncIterable<TokenWatchEntry> {
  stop(): void;
}

/** What the cache needs of the bucket: a `KV` fits as it is. */
export interface TokenWatchSource {
  watch(): Promise<TokenWatch>;
  status(): Promise<{ values: number }>;
}

export interface TokenCacheOptions {
  logger?: AuthLogger;
  /** How long `start()` waits for the bucket's current state before going on without it (5 s). */
  loadTimeoutMs?: number;
}

/**
 * A copy of the token bucket in memory, kept current by a KV watch, so that verifying a token
 * known to the cache costs no round trip. It answers only what it has seen: an id it does not
 * hold is `undefined` (ask KV), so a token minted a moment ago by another replica still
 * verifies. A revocation reaches every replica as fast as the watch delivers it (milliseconds);
 * the replica that revokes applies it at once.
 *
 * Once the watch ends or fails (a closed connection), or after `stop()`, the cache is no longer
 * `live` and answers nothing: a cache that stopped following could keep revoked tokens alive.
 * While the connection is down and reconnecting, the watch is still open: tokens already seen
 * keep verifying, and revocations made meanwhile arrive when it reconnects.
 */
export class TokenCache {
  readonly #entries = new Map<string, TokenLookup>();
  readonly #logger: AuthLogger;
  #stopWatch: () => void = () => {};
  #live = true;
  #stopped = false;

  private constructor(logger: AuthLogger) {
    this.#logger = logger;
  }

  /** Starts the watch and waits (at most `loadTimeoutMs`) until the current tokens are loaded. */
  static async start(source: TokenWatchSource, options: TokenCacheOptions = {}): Promise<TokenCache> {
    const cache = new TokenCache(options.logger ?? silentLogger);
    const watch = await source.watch();
    cache.#stopWatch = () => watch.stop();
    const loaded = cache.#follow(watch);
    try {
      if ((await source.status()).values > 0) await settleWithin(loaded, options.loadTimeoutMs ?? 5000);
    } catch (error) {
      cache.stop();
      throw error;
    }
    return cache;
  }

  /** Whether the cache follows the bucket (false once the watch ended, or after stop()). */
  get live(): boolean {
    return this.#live;
  }

  /** What the cache knows of a token id, or undefined (not seen, or the cache is not live). */
  lookup(id: string): TokenLookup | undefined {
    return this.#live ? this.#entries.get(id) : undefined;
  }

  /** Applies a revocation made by this process at once (the watch brings it too). */
  noteRevoked(id: string): void {
    this.#entries.set(id, { state: 'revoked' });
  }

  stop(): void {
    this.#stopped = true;
    this.#live = false;
    this.#entries.clear();
    this.#stopWatch();
  }

  /** Runs the watch loop, detached; resolves once the current state is loaded or the watch ended. */
  #follow(watch: TokenWatch): Promise<void> {
    return new Promise<void>((resolve) => {
      const loop = async () => {
        for await (const entry of watch) {
          this.#apply(entry);
          // The watch marks the last entry of the initial state, and every later one, as an update.
          if (entry.isUpdate) resolve();
        }
      };
      loop()
        .then(
          () => this.#ended(undefined),
          (error: unknown) => this.#ended(error),
        )
        .finally(() => resolve());
    });
  }

  #apply(entry: TokenWatchEntry): void {
    if (entry.operation !== 'PUT') {
      this.#entries.set(entry.key, { state: 'revoked' });
      return;
    }
    const record = parseTokenRecord(entry.string());
    if (record === undefined || record.id !== entry.key) {
      this.#entries.set(entry.key, { state: 'absent' });
      this.#logger.warn(
        { token: entry.key, revision: entry.revision },
        'token cache: a stored token record is not valid; the token is refused',
      );
      return;
    }
    this.#entries.set(entry.key, { state: 'live', record });
  }

  #ended(error: unknown): void {
    this.#live = false;
    this.#entries.clear();
    if (this.#stopped) return;
    this.#logger.error(
      error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) },
      'token cache: the token watch ended; tokens are verified against KV directly from now on',
    );
  }
}

/** Waits for `promise`, or `ms`, whichever comes first. */
async function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
