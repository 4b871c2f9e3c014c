import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Principal } from '@interco/auth';
import { createApiApp } from '@interco/http';
import { fixedTokens, silentLogger } from '@interco/http/test-support';
import type { FastifyInstance } from 'fastify';
import { fetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveFeed } from '../live/live-feed.js';
import { openSse } from '../test-support/sse-client.js';
import type { TrackerRouteDeps } from './deps.js';
import { registerLiveRoute } from './live-route.js';
import type { LiveEventData } from './schemas.js';

const reader: Principal = { tokenId: 'abcdefgh2345', name: 'dashboard', scopes: ['transfers:read'] };
/** Mutable: a test revokes `revocable` by deleting it (fixedTokens looks principals up at each verify). */
const principals: Record<string, Principal> = { reader, revocable: reader };
const tokens = fixedTokens(principals);
const auth = { authorization: 'Bearer reader' };

/** A live feed the test feeds by hand; counts what the route pulled, says when it was stopped. */
const noop = () => {};

class FakeFeed implements LiveFeed {
  readonly kind = 'open';
  readonly queue: LiveEventData[] = [];
  pulled = 0;
  stopCount = 0;
  readonly stopped: Promise<void>;
  private onStop: () => void = noop;
  private wake: (() => void) | undefined;
  readonly events: AsyncIterable<LiveEventData>;

  constructor(readonly lastSeq = 0) {
    this.stopped = new Promise((resolve) => {
      this.onStop = resolve;
    });
    const self = this;
    this.events = (async function* () {
      while (self.stopCount === 0) {
        const next = self.queue.shift();
        if (next === undefined) {
          await new Promise<void>((resolve) => {
            self.wake = resolve;
          });
          continue;
        }
        self.pulled += 1;
        yield next;
      }
    })();
  }

  push(event: LiveEventData): void {
    this.queue.push(event);
    this.wake?.();
  }

  stop(): void {
    this.stopCount += 1;
    this.onStop();
    this.wake?.();
  }
}

function event(seq: number, padding = ''): LiveEventData {
  return {
    transfer_id: 'tr_1',
    type: 'po_a.done',
    time: '2026-12-01T00:00:00.000Z',
    generation: 1,
    seq,
    event_id: `ev-${seq}${padding}`,
  };
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  // The clients' idle keep-alive connections would hold close() up for seconds.
  app?.server.closeAllConnections();
  await app?.close();
  app = undefined;
});

async function serve(
  openLiveFeed: TrackerRouteDeps['openLiveFeed'],
  options: Partial<TrackerRouteDeps> = {},
): Promise<string> {
  app = await createApiApp({
    logger: silentLogger,
    tokens,
    openapi: { title: 'Live', description: 'the live route', version: '1.0.0' },
  });
  registerLiveRoute(app, { openLiveFeed, heartbeatMs: 50, tokens, ...options } as TrackerRouteDeps & {
    tokens: typeof tokens;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}/v1/live`;
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('GET /v1/live', () => {
  it('stops the feed of a client that went while it was being opened, and frees its slot', async () => {
    const feeds: FakeFeed[] = [];
    let release: () => void = noop;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const url = await serve(
      async () => {
        const feed = new FakeFeed();
        feeds.push(feed);
        if (feeds.length === 1) await gate;
        return feed;
      },
      { maxLiveStreams: 1 },
    );
    const abort = new AbortController();
    const pending = fetch(url, { headers: auth, signal: abort.signal }).catch(() => undefined);
    await until(() => feeds.length === 1);
    abort.abort();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    await feeds[0]?.stopped;
    expect(feeds[0]?.stopCount).toBe(1);
    // The slot is free again (the most is 1), and the next client is served.
    const next = await openSse(url, auth);
    expect(next.status).toBe(200);
    feeds[1]?.push(event(7));
    expect((await next.next(1)).map((message) => message.id)).toEqual(['7']);
    next.close();
    await feeds[1]?.stopped;
  });

  it('refuses a stream beyond maxLiveStreams with 503, and serves again once one closes', async () => {
    const feeds: FakeFeed[] = [];
    const url = await serve(
      async () => {
        const feed = new FakeFeed();
        feeds.push(feed);
        return feed;
      },
      { maxLiveStreams: 2 },
    );
    const one = await openSse(url, auth);
    const two = await openSse(url, auth);
    expect([one.status, two.status]).toEqual([200, 200]);
    const refused = await fetch(url, { headers: auth });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(await refused.json()).toEqual({
      error: 'unavailable',
      message: 'this tracker already serves 2 live streams, the most it serves at once: try again later',
    });
    expect(feeds).toHaveLength(2);
    one.close();
    await feeds[0]?.stopped;
    const three = await openSse(url, auth);
    expect(three.status).toBe(200);
    two.close();
    three.close();
    await Promise.all(feeds.map((feed) => feed.stopped));
  });

  it('closes a stream whose token was revoked while it was open; the reconnect gets 401; others go on', async () => {
    const feeds: FakeFeed[] = [];
    const url = await serve(
      async () => {
        const feed = new FakeFeed();
        feeds.push(feed);
        return feed;
      },
      { liveTokenRecheckMs: 100 },
    );
    const kept = await openSse(url, auth);
    const revocable = { authorization: 'Bearer revocable' };
    const doomed = await openSse(url, revocable);
    expect([kept.status, doomed.status]).toEqual([200, 200]);
    // Checked again and again while the token holds: the stream stays open.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(feeds.map((feed) => feed.stopCount)).toEqual([0, 0]);
    delete principals.revocable;
    try {
      await feeds[1]?.stopped;
      expect(feeds[1]?.stopCount).toBe(1);
      expect((await fetch(url, { headers: revocable })).status).toBe(401);
      // The other stream still gets its events.
      feeds[0]?.push(event(9));
      expect((await kept.next(1)).map((message) => message.id)).toEqual(['9']);
      expect(feeds[0]?.stopCount).toBe(0);
    } finally {
      principals.revocable = reader;
      kept.close();
      doomed.close();
    }
  });

  it('says a bad Last-Event-ID is the header', async () => {
    const url = await serve(async () => new FakeFeed());
    const bad = await fetch(url, { headers: { ...auth, 'last-event-id': 'x' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'invalid_request',
      message: 'the request headers are not valid: see problems (each names its path)',
      problems: [
        { path: 'Last-Event-ID', message: 'must be a stream sequence: the id of an event this stream sent' },
      ],
    });
  });

  it('400 naming Last-Event-ID for a resume further back than the feed serves, and opens no stream', async () => {
    const asked: unknown[] = [];
    const url = await serve(async (options) => {
      asked.push(options);
      return { kind: 'resume_too_old', lastSeq: 5_000, maxCatchUp: 1_000 };
    });
    const old = await fetch(url, { headers: { ...auth, 'last-event-id': '12' } });
    expect(old.status).toBe(400);
    expect(await old.json()).toEqual({
      error: 'invalid_request',
      message: 'the request headers are not valid: see problems (each names its path)',
      problems: [
        {
          path: 'Last-Event-ID',
          message:
            'the stream has moved on more than 1,000 events: read the transfers again and open the stream without Last-Event-ID',
        },
      ],
    });
    expect(asked).toEqual([{ transferId: undefined, afterSeq: 12 }]);
  });

  it('says where "now" was: the stream’s last sequence at open, in the first comment and a header', async () => {
    const feed = new FakeFeed(4_242);
    const url = await serve(async () => feed);
    const response = await fetch(url, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-interco-last-seq')).toBe('4242');
    const reader = response.body?.getReader();
    let text = '';
    while (!text.includes('\n\n')) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    // `connected` first: parsers that look for it (or ignore comments) still do
    expect(text.slice(0, text.indexOf('\n\n') + 2)).toBe(': connected last_seq=4242\n\n');
    await reader?.cancel();
    await feed.stopped;
  });

  it('pauses the feed while a client does not read, and closes it once blocked too long', async () => {
    const feed = new FakeFeed();
    const url = new URL(await serve(async () => feed, { liveDrainTimeoutMs: 300 }));
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`GET /v1/live HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer reader\r\n\r\n`);
    // The client reads nothing.
    socket.pause();
    let closed = false;
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', noop);
    const padding = 'x'.repeat(256 * 1024);
    for (let seq = 1; seq <= 400; seq += 1) feed.push(event(seq, padding));
    await feed.stopped;
    // The route stopped pulling once the client was blocked: most of the feed was never read.
    expect(feed.pulled).toBeLessThan(400);
    expect(feed.stopCount).toBe(1);
    socket.resume();
    await until(() => closed);
    socket.destroy();
  });
});
