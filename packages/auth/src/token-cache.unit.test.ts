import { describe, expect, it } from 'vitest';
import type { AuthLogger } from './logger.js';
import { TokenCache, type TokenWatch, type TokenWatchEntry, type TokenWatchSource } from './token-cache.js';
import { generateToken } from './token-format.js';
import { hashToken } from './token-hash.js';
import type { TokenRecord } from './token-record.schema.js';

/** A watch fed by hand: push entries, end it, or fail it. */
class FakeWatch implements TokenWatch {
  readonly #queue: Array<TokenWatchEntry | Error | 'end'> = [];
  #wake: () => void = () => {};
  stopped = false;

  push(item: TokenWatchEntry | Error | 'end'): void {
    this.#queue.push(item);
    this.#wake();
  }

  stop(): void {
    this.stopped = true;
    this.push('end');
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TokenWatchEntry> {
    for (;;) {
      const item = this.#queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      if (item === 'end') return;
      if (item instanceof Error) throw item;
      yield item;
    }
  }
}

function source(watch: FakeWatch, values: number): TokenWatchSource {
  return { watch: async () => watch, status: async () => ({ values }) };
}

function record(): TokenRecord {
  const { id, token } = generateToken();
  return {
    id,
    name: 'ci',
    scopes: ['transfers:read'],
    hash: hashToken(token),
    created_at: '2030-01-01T00:00:00Z',
  };
}

const put = (r: TokenRecord, isUpdate: boolean, text = JSON.stringify(r)): TokenWatchEntry => ({
  key: r.id,
  operation: 'PUT',
  revision: 1,
  isUpdate,
  string: () => text,
});
const purge = (key: string, isUpdate = true): TokenWatchEntry => ({
  key,
  operation: 'PURGE',
  revision: 2,
  isUpdate,
  string: () => '',
});

function recordingLogger(): { logger: AuthLogger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (obj: object, msg: string) =>
    lines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  return { lines, logger: { warn: at('warn'), error: at('error') } };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('TokenCache', () => {
  it('loads the current tokens before start() resolves, then follows changes', async () => {
    const watch = new FakeWatch();
    const a = record();
    const b = record();
    watch.push(put(a, false));
    watch.push(purge(b.id, false));
    const started = TokenCache.start(source(watch, 2));
    let resolved = false;
    void started.then(() => {
      resolved = true;
    });
    await tick();
    expect(resolved).toBe(false); // the last initial entry has not come yet
    const c = record();
    watch.push(put(c, true)); // the watch marks the last initial entry as an update
    const cache = await started;
    expect(cache.lookup(a.id)).toEqual({ state: 'live', record: a });
    expect(cache.lookup(b.id)).toEqual({ state: 'revoked' });
    expect(cache.lookup(c.id)).toEqual({ state: 'live', record: c });
    expect(cache.lookup(record().id)).toBeUndefined();
    watch.push(purge(a.id));
    await tick();
    expect(cache.lookup(a.id)).toEqual({ state: 'revoked' });
    cache.stop();
    expect(watch.stopped).toBe(true);
  });

  it('an empty bucket does not wait', async () => {
    const cache = await TokenCache.start(source(new FakeWatch(), 0));
    expect(cache.live).toBe(true);
    cache.stop();
    expect(cache.live).toBe(false);
  });

  it('waits at most loadTimeoutMs for the current state', async () => {
    const watch = new FakeWatch();
    const cache = await TokenCache.start(source(watch, 3), { loadTimeoutMs: 20 });
    expect(cache.live).toBe(true);
    cache.stop();
  });

  it('applies a revocation made by this process at once', async () => {
    const watch = new FakeWatch();
    const a = record();
    watch.push(put(a, true));
    const cache = await TokenCache.start(source(watch, 1));
    cache.noteRevoked(a.id);
    expect(cache.lookup(a.id)).toEqual({ state: 'revoked' });
    cache.stop();
  });

  it('a record that is not valid is refused and logged with its id only', async () => {
    const { logger, lines } = recordingLogger();
    const watch = new FakeWatch();
    const a = record();
    watch.push(put(a, true, JSON.stringify({ ...a, scopes: ['root'] })));
    const cache = await TokenCache.start(source(watch, 1), { logger });
    expect(cache.lookup(a.id)).toEqual({ state: 'absent' });
    expect(lines).toEqual([
      `warn token cache: a stored token record is not valid; the token is refused {"token":"${a.id}","revision":1}`,
    ]);
    cache.stop();
  });

  it('once the watch ends or fails, the cache answers nothing and says so', async () => {
    for (const end of ['end', new Error('connection closed')] as const) {
      const { logger, lines } = recordingLogger();
      const watch = new FakeWatch();
      const a = record();
      watch.push(put(a, true));
      const cache = await TokenCache.start(source(watch, 1), { logger });
      expect(cache.lookup(a.id)).toMatchObject({ state: 'live' });
      watch.push(end);
      await tick();
      expect(cache.live).toBe(false);
      expect(cache.lookup(a.id)).toBeUndefined();
      expect(lines).toEqual([
        `error token cache: the token watch ended; tokens are verified against KV directly from now on ${
          end === 'end' ? '{}' : '{"error":"connection closed"}'
        }`,
      ]);
    }
  });

  it('stop() is not logged as an ended watch', async () => {
    const { logger, lines } = recordingLogger();
    const cache = await TokenCache.start(source(new FakeWatch(), 0), { logger });
    cache.stop();
    await tick();
    expect(lines).toEqual([]);
  });
});
