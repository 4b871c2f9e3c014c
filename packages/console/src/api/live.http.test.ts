import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './client.js';
import { type LiveDelivery, type LiveState, type LiveStream, openLive } from './live.js';
import type { LiveEventData } from './types.js';

/**
 * openLive against a small HTTP server the test starts, answering /v1/live as the tracker does
 * (or as a test needs): one handler per connection, in order; the last one serves the rest.
 */

type Connection = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server | undefined;
let stream: LiveStream | undefined;

afterEach(async () => {
  stream?.close();
  stream = undefined;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

async function liveServer(
  connections: readonly Connection[],
): Promise<{ url: string; asked: (string | undefined)[] }> {
  const asked: (string | undefined)[] = [];
  server = createServer((request, response) => {
    if (!request.url?.startsWith('/v1/live')) {
      response.writeHead(404).end();
      return;
    }
    const header = request.headers['last-event-id'];
    asked.push(Array.isArray(header) ? header[0] : header);
    const handler = connections[Math.min(asked.length, connections.length) - 1];
    handler?.(request, response);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, asked };
}

function event(seq: number, type = 'transfer.requested'): string {
  const data: LiveEventData = {
    transfer_id: `tr_${seq}`,
    type,
    time: '2026-12-05T10:00:00.000Z',
    generation: 1,
    seq,
  };
  return `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A stream answer: the headers (x-interco-last-seq when `header` is given), then `body`; ended when `end`. */
function sse(body: string, { header, end = false }: { header?: number; end?: boolean } = {}): Connection {
  return (_request, response) => {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      ...(header === undefined ? {} : { 'x-interco-last-seq': String(header) }),
    });
    if (end) response.end(body);
    else response.write(body);
  };
}

const tooOld: Connection = (_request, response) => {
  response.writeHead(400, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({ error: 'invalid_request', message: 'Last-Event-ID is more than 1,000 events old' }),
  );
};

function follow(url: string) {
  const events: { seq: number; delivery: LiveDelivery }[] = [];
  const states: LiveState['kind'][] = [];
  let resyncs = 0;
  const client = new ApiClient('test-token-not-real', url, url);
  stream = openLive(client, {
    onEvent: (data, delivery) => events.push({ seq: data.seq, delivery }),
    onState: (state) => states.push(state.kind),
    onResync: () => {
      resyncs++;
    },
  });
  return { events, states, resyncs: () => resyncs, stream };
}

const replayedFlags = (events: readonly { seq: number; delivery: LiveDelivery }[]) =>
  events.map((entry) => [entry.seq, entry.delivery.replayed]);

describe('openLive: where the stream opened', () => {
  it('marks the events at or before the x-interco-last-seq header as replayed', async () => {
    const { url } = await liveServer([
      sse(`: connected last_seq=10\n\n${event(8)}${event(10)}${event(11)}`, { header: 10 }),
    ]);
    const live = follow(url);
    await expect.poll(() => live.events.length).toBe(3);
    expect(replayedFlags(live.events)).toEqual([
      [8, true],
      [10, true],
      [11, false],
    ]);
  });

  it('without the header, takes every event as new (the opening comment is not read)', async () => {
    const { url } = await liveServer([sse(`: connected last_seq=10\n\n${event(8)}${event(11)}`)]);
    const live = follow(url);
    await expect.poll(() => live.events.length).toBe(2);
    expect(replayedFlags(live.events)).toEqual([
      [8, false],
      [11, false],
    ]);
  });

  it('keeps the first stream’s bound on a resumed stream (it goes on from the same read)', async () => {
    const { url, asked } = await liveServer([
      sse(`: connected last_seq=10\n\n${event(9)}`, { header: 10, end: true }),
      sse(`: connected last_seq=20\n\n${event(10)}${event(15)}`, { header: 20 }),
    ]);
    const live = follow(url);
    await expect.poll(() => live.events.length, { timeout: 5000 }).toBe(3);
    expect(asked).toEqual([undefined, '9']);
    expect(replayedFlags(live.events)).toEqual([
      [9, true],
      [10, true],
      [15, false],
    ]);
    expect(live.resyncs()).toBe(0);
  });
});

describe('openLive: a resume the tracker refuses', () => {
  it('on 400 drops the id, opens again at once without it, and has the page read again (resync)', async () => {
    const { url, asked } = await liveServer([
      sse(`: connected last_seq=10\n\n${event(11)}`, { header: 10, end: true }),
      tooOld,
      sse(`: connected last_seq=2000\n\n${event(2000)}${event(2001)}`, { header: 2000 }),
    ]);
    const live = follow(url);
    await expect.poll(() => live.resyncs(), { timeout: 5000 }).toBe(1);
    expect(asked).toEqual([undefined, '11', undefined]);
    await expect.poll(() => live.events.length).toBe(3);
    expect(replayedFlags(live.events)).toEqual([
      [11, false],
      [2000, true],
      [2001, false],
    ]);
    expect(live.states.at(-1)).toBe('live');
    // The refused resume is not retried with the id, and the stream stays open.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(asked).toHaveLength(3);
  });
});
