import { Writable } from 'node:stream';
import { EventPublisher } from '@interco/bus';
import { sampleRequest } from '@interco/bus/test-support';
import { type IntercoEvent, newEvent, newTransferId } from '@interco/contracts';
import { createLogger } from '@interco/service';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTransferCursor, encodeTransferCursor } from '../queries/cursor.js';
import { documentFromJournal } from '../read-model/transfer-documents.js';
import { type TransferShape, transferEvents } from '../test-support/query-fixtures.js';
import { type QueryHarness, startQueryHarness } from '../test-support/query-harness.js';
import { openSse } from '../test-support/sse-client.js';
import type {
  TransferCounts,
  TransferEventsPage,
  TransferList,
  TransferSerialsPage,
  TransferView,
} from './schemas.js';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const NOW = new Date(T0 + 10 * 86_400_000);
const OUTCOMES = ['failed_at_dn_a', 'completed', 'done_2', 'waiting', 'requested'] as const;

interface Seeded {
  readonly id: string;
  readonly shape: TransferShape;
  readonly events: IntercoEvent[];
}

let h: QueryHarness;
let read: string;
const seeded: Seeded[] = [];
let seq = 1;

function shapeOf(i: number): TransferShape {
  return {
    // three transfers share a creation time, to check the order by id
    createdAt: new Date(T0 + (i >= 10 && i < 13 ? 10 : i) * 60_000),
    outcome: OUTCOMES[i % OUTCOMES.length] ?? 'requested',
    ...(i % 3 === 0 ? { instances: { a: 'erp-x', b: 'erp-y' } } : {}),
    ...(i % 4 === 0 ? { companyA: 'Acme' } : {}),
    ...(i === 7 ? { reference: 'PO-777' } : {}),
  };
}

async function seed(shapes: readonly TransferShape[]): Promise<Seeded[]> {
  const made = shapes.map((shape) => {
    const events = transferEvents(shape);
    const id = events[0]?.transferid ?? '';
    return { id, shape, events };
  });
  const docs = made.map((item) => documentOf(item.events));
  await h.transfers.insertMany(docs);
  seeded.push(...made);
  return made;
}

/** The stored document of a transfer's events, numbered with the next stream sequences. */
function documentOf(events: readonly IntercoEvent[]) {
  const first = seq;
  seq += events.length;
  return documentFromJournal(
    events[0]?.transferid ?? '',
    events.map((event, i) => ({ seq: first + i, event })),
  );
}

async function get<T>(url: string, token: string | null = read, headers: Record<string, string> = {}) {
  const response = await h.app.inject({
    method: 'GET',
    url,
    headers: token === null ? headers : { authorization: `Bearer ${token}`, ...headers },
  });
  return { status: response.statusCode, body: response.json<T>() };
}

/** Ids of the seeded transfers that pass `keep`, newest first (created_at, then id). */
function expected(keep: (item: Seeded) => boolean): string[] {
  return seeded
    .filter(keep)
    .sort((x, y) => {
      const a = x.events[0]?.time ?? '';
      const b = y.events[0]?.time ?? '';
      if (a !== b) return a < b ? 1 : -1;
      return x.id < y.id ? 1 : -1;
    })
    .map((item) => item.id);
}

async function listIds(query: string, token: string = read): Promise<string[]> {
  const { status, body } = await get<TransferList>(`/v1/transfers?limit=200&${query}`, token);
  expect(status).toBe(200);
  return body.transfers.map((t) => t.transfer_id);
}

beforeAll(async () => {
  h = await startQueryHarness({ heartbeatMs: 200 });
  h.clock.now = NOW;
  read = await h.token('transfers:read');
  await seed(Array.from({ length: 30 }, (_, i) => shapeOf(i)));
  // One running transfer with a recent event: not stuck.
  await seed([{ createdAt: new Date(NOW.getTime() - 60_000), outcome: 'done_1' }]);
  // A document whose transfer.requested has not been seen: never shown.
  const orphan = transferEvents({ createdAt: new Date(T0), outcome: 'done_1' }).slice(1);
  await h.transfers.insertOne(documentOf(orphan));
  hiddenId = orphan[0]?.transferid ?? '';
});

let hiddenId = '';

afterAll(async () => {
  await h?.close();
});

describe('GET /v1/transfers/{id}', () => {
  it('answers the transfer', async () => {
    const item = seeded[0];
    const { status, body } = await get<TransferView>(`/v1/transfers/${item?.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      transfer_id: item?.id,
      status: 'failed',
      failed_step: 'dn_a',
      stuck: false,
    });
    expect(body.last_error?.step).toBe('dn_a');
  });

  it('404 not_found for an unknown transfer, and for one whose state is null', async () => {
    for (const id of [newTransferId(), hiddenId]) {
      const { status, body } = await get<{ error: string }>(`/v1/transfers/${id}`);
      expect(status).toBe(404);
      expect(body.error).toBe('not_found');
    }
  });

  it('400 naming id for a malformed id', async () => {
    const { status, body } = await get<{ problems: { path: string }[] }>('/v1/transfers/nope');
    expect(status).toBe(400);
    expect(body.problems.map((p) => p.path)).toEqual(['id']);
  });
});

describe('GET /v1/transfers filters', () => {
  const isRunning = (item: Seeded) =>
    ['done_2', 'waiting', 'requested', 'done_1'].includes(item.shape.outcome ?? '');
  const isRecent = (item: Seeded) => item.shape.createdAt.getTime() > NOW.getTime() - 15 * 60_000;

  it('none: every shown transfer, newest first', async () => {
    expect(await listIds('')).toEqual(expected(() => true));
  });

  it('status', async () => {
    expect(await listIds('status=failed')).toEqual(expected((t) => t.shape.outcome === 'failed_at_dn_a'));
    expect(await listIds('status=waiting')).toEqual(expected((t) => t.shape.outcome === 'waiting'));
  });

  it('step', async () => {
    expect(await listIds('step=dn_a')).toEqual(
      expected((t) => t.shape.outcome === 'failed_at_dn_a' || t.shape.outcome === 'done_2'),
    );
  });

  it('created_from and created_to', async () => {
    const from = new Date(T0 + 5 * 60_000).toISOString();
    const to = '2026-11-01T01:20:00+01:00'; // T0 + 20 min
    expect(await listIds(`created_from=${from}&created_to=${encodeURIComponent(to)}`)).toEqual(
      expected((t) => {
        const at = t.shape.createdAt.getTime();
        return at >= T0 + 5 * 60_000 && at < T0 + 20 * 60_000;
      }),
    );
  });

  it('instance (either side)', async () => {
    const x = expected((t) => t.shape.instances?.a === 'erp-x');
    expect(x.length).toBeGreaterThan(0);
    expect(await listIds('instance=erp-x')).toEqual(x);
    expect(await listIds('instance=erp-y')).toEqual(x);
  });

  it('company', async () => {
    const acme = expected((t) => t.shape.companyA === 'Acme');
    expect(acme.length).toBeGreaterThan(0);
    expect(await listIds('company=Acme')).toEqual(acme);
  });

  it('reference', async () => {
    expect(await listIds('reference=PO-777')).toEqual(expected((t) => t.shape.reference === 'PO-777'));
  });

  it('stuck', async () => {
    const stuck = expected((t) => isRunning(t) && !isRecent(t));
    expect(stuck.length).toBeGreaterThan(0);
    expect(await listIds('stuck=true')).toEqual(stuck);
    expect(await listIds('stuck=false')).toEqual(expected((t) => !(isRunning(t) && !isRecent(t))));
  });

  it('filters combine', async () => {
    expect(await listIds('status=waiting&instance=erp-x')).toEqual(
      expected((t) => t.shape.outcome === 'waiting' && t.shape.instances?.a === 'erp-x'),
    );
  });

  it.each([
    ['status', 'done'],
    ['step', 'po_z'],
    ['created_from', 'yesterday'],
    ['stuck', 'maybe'],
    ['limit', '0'],
    ['limit', '201'],
    ['instance', 'not an id'],
    ['color', 'red'],
  ])('400 naming %s when it is %j', async (name, value) => {
    const { status, body } = await get<{ error: string; problems: { path: string }[] }>(
      `/v1/transfers?${name}=${encodeURIComponent(value)}`,
    );
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
    expect(body.problems.map((p) => p.path)).toEqual([name]);
  });

  it('400 naming cursor for a tampered or made-up cursor', async () => {
    const good = encodeTransferCursor({ created_at: '2026-11-01T00:05:00.000Z', id: newTransferId() });
    const tampered = `${good.slice(0, -3)}xyz`;
    for (const cursor of [tampered, 'abc', Buffer.from('{"c":1}').toString('base64url')]) {
      const { status, body } = await get<{ problems: { path: string }[] }>(`/v1/transfers?cursor=${cursor}`);
      expect(status).toBe(400);
      expect(body.problems.map((p) => p.path)).toEqual(['cursor']);
    }
  });
});

describe('GET /v1/transfers pages', () => {
  it('walks every page with no duplicate and no gap, while new transfers arrive', async () => {
    const before = expected(() => true);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const { status, body } = await get<TransferList>(`/v1/transfers?limit=7${query}`);
      expect(status).toBe(200);
      expect(body.transfers.length).toBeLessThanOrEqual(7);
      seen.push(...body.transfers.map((t) => t.transfer_id));
      cursor = body.next_cursor;
      if (cursor !== null) expect(decodeTransferCursor(cursor)).toBeDefined();
      pages++;
      // Newer transfers land meanwhile: they belong before the first page, not in the walk.
      if (pages === 2) await seed([{ createdAt: new Date(NOW.getTime() - 1000), outcome: 'requested' }]);
    } while (cursor !== null && pages < 20);
    expect(seen).toEqual(before);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(before.length / 7));
  });

  it('defaults to 50 a page', async () => {
    const { body } = await get<TransferList>('/v1/transfers');
    expect(body.transfers.length).toBe(Math.min(50, expected(() => true).length));
  });
});

describe('GET /v1/transfers/counts', () => {
  it('counts per status and the stuck ones', async () => {
    const { status, body } = await get<TransferCounts>('/v1/transfers/counts');
    expect(status).toBe(200);
    const views = (await get<TransferList>('/v1/transfers?limit=200')).body.transfers;
    expect(body.total).toBe(views.length);
    expect(body.stuck).toBe(views.filter((v) => v.stuck).length);
    expect(body.stuck).toBeGreaterThan(0);
    for (const status of ['failed', 'completed', 'in_progress', 'waiting', 'pending']) {
      expect(body.by_status[status]).toBe(views.filter((v) => v.status === status).length);
    }
    expect(body.by_status.cancelled).toBe(0);
  });
});

describe('GET /v1/transfers/{id}/events', () => {
  it('pages the journal by sequence, in stream order', async () => {
    const item = seeded.find((t) => t.shape.outcome === 'completed');
    const first = await get<TransferEventsPage>(`/v1/transfers/${item?.id}/events?limit=3`);
    expect(first.status).toBe(200);
    expect(first.body.events.map((e) => e.type)).toEqual(['transfer.requested', 'po_a.done', 'pr_a.done']);
    expect(first.body.next_after_seq).toBe(first.body.events[2]?.seq);
    const rest = await get<TransferEventsPage>(
      `/v1/transfers/${item?.id}/events?after_seq=${first.body.next_after_seq}&limit=3`,
    );
    expect(rest.body.events.map((e) => e.type)).toEqual(['dn_a.done', 'pr_b.done']);
    expect(rest.body.next_after_seq).toBeNull();
  });

  it('404 for an unknown transfer; 400 naming after_seq', async () => {
    expect((await get(`/v1/transfers/${newTransferId()}/events`)).status).toBe(404);
    const bad = await get<{ problems: { path: string }[] }>(
      `/v1/transfers/${seeded[0]?.id}/events?after_seq=-1`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p) => p.path)).toEqual(['after_seq']);
  });
});

describe('serials', () => {
  let id = '';
  beforeAll(async () => {
    id = newTransferId();
    const request = sampleRequest(5, 2, 'PIN');
    const manifest = await h.manifests.put(id, request);
    const [made] = await seed([
      { transferId: id, createdAt: new Date(T0 - 86_400_000), outcome: 'completed', manifest, serials: 5 },
    ]);
    expect(made?.id).toBe(id);
    const serials = request.items.flatMap((item) => item.serials);
    await h.serials.insertMany(
      serials.map((serial) => ({ _id: h.digester.digest(serial), transfers: [id] })),
    );
  });

  it('the serial filter finds the transfer by the serial’s keyed digest (case-insensitively)', async () => {
    const both = await h.token('transfers:read', 'serials:read');
    expect(await listIds('serial=PIN-1-0', both)).toEqual([id]);
    expect(await listIds('serial=pin-1-0', both)).toEqual([id]);
    expect(await listIds('serial=NOT-MOVED', both)).toEqual([]);
    expect(await listIds('serial=PIN-1-0&status=failed', both)).toEqual([]);
    expect(await listIds('serial=PIN-1-0&status=completed&instance=erp-b', both)).toEqual([id]);
    expect(
      await listIds(`serial=PIN-1-0&created_to=${new Date(T0 - 86_400_000).toISOString()}`, both),
    ).toEqual([]);
  });

  it('the serial filter needs serials:read: a reader cannot tell whether a serial (a PIN) was moved', async () => {
    const answer = await get<{ error: string; message: string }>('/v1/transfers?serial=PIN-1-0');
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: 'forbidden' });
    expect(answer.body.message).toContain('serials:read');
    expect(JSON.stringify(answer.body)).not.toContain('PIN-1-0');
  });

  it('GET /v1/transfers/{id}/serials pages the manifest’s serials (serials:read and transfers:read)', async () => {
    const both = await h.token('transfers:read', 'serials:read');
    const first = await get<TransferSerialsPage>(`/v1/transfers/${id}/serials?limit=3`, both);
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(5);
    expect(first.body.serials).toEqual([
      { item_code: 'ITEM-0', serial: 'PIN-0-0' },
      { item_code: 'ITEM-0', serial: 'PIN-0-1' },
      { item_code: 'ITEM-0', serial: 'PIN-0-2' },
    ]);
    const rest = await get<TransferSerialsPage>(
      `/v1/transfers/${id}/serials?limit=3&cursor=${first.body.next_cursor}`,
      both,
    );
    expect(rest.body.serials.map((s) => s.serial)).toEqual(['PIN-1-0', 'PIN-1-1']);
    expect(rest.body.next_cursor).toBeNull();
    expect((await get(`/v1/transfers/${newTransferId()}/serials`, both)).status).toBe(404);
    const bad = await get<{ problems: { path: string }[] }>(`/v1/transfers/${id}/serials?cursor=zzz`, both);
    expect(bad.body.problems.map((p) => p.path)).toEqual(['cursor']);
  });

  it('GET /v1/transfers/{id}/serials?q= keeps the serials containing the text (any case), paged over the matches', async () => {
    const both = await h.token('transfers:read', 'serials:read');
    const url = (query: string) => `/v1/transfers/${id}/serials?${query}`;
    const all = await get<TransferSerialsPage>(url('q=pin-'), both);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(5);
    const first = await get<TransferSerialsPage>(url('q=-1-&limit=1'), both);
    expect(first.body).toEqual({
      transfer_id: id,
      total: 2,
      serials: [{ item_code: 'ITEM-1', serial: 'PIN-1-0' }],
      next_cursor: expect.any(String),
    });
    const rest = await get<TransferSerialsPage>(url(`q=-1-&limit=1&cursor=${first.body.next_cursor}`), both);
    expect(rest.body).toMatchObject({ total: 2, serials: [{ serial: 'PIN-1-1' }], next_cursor: null });
    const none = await get<TransferSerialsPage>(url('q=NOPE'), both);
    expect(none.body).toMatchObject({ total: 0, serials: [], next_cursor: null });
    for (const q of ['', 'x'.repeat(141)]) {
      const bad = await get<{ problems: { path: string }[] }>(url(`q=${q}`), both);
      expect(bad.status, `q of ${q.length}`).toBe(400);
      expect(bad.body.problems.map((p) => p.path)).toEqual(['q']);
    }
    expect((await get(url('q=PIN'), read)).status).toBe(403);
  });

  it('never logs q', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logged = await startQueryHarness({
      logger: createLogger('tracker', { level: 'trace', destination }) as FastifyBaseLogger,
    });
    try {
      const token = await logged.token('transfers:read', 'serials:read');
      const answer = await logged.app.inject({
        url: `/v1/transfers/${newTransferId()}/serials?q=PIN-SEARCHED-42`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(answer.statusCode).toBe(404);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).toContain('/serials');
      expect(lines.join('\n')).not.toContain('SEARCHED');
    } finally {
      await logged.close();
    }
  });

  it('503 manifest_unreadable, without any serial, for a manifest altered or not of its bucket', async () => {
    const both = await h.token('transfers:read', 'serials:read');
    // Sealed, then replaced: the read model keeps the first one's digest.
    const altered = newTransferId();
    const manifest = await h.manifests.put(altered, sampleRequest(2, 2, 'PIN-ALTERED'));
    await h.manifests.put(altered, sampleRequest(2, 2, 'PIN-OTHER'));
    // A manifest ref of another bucket.
    const elsewhere = newTransferId();
    await seed([
      { transferId: altered, createdAt: new Date(T0 - 2 * 86_400_000), outcome: 'completed', manifest },
      {
        transferId: elsewhere,
        createdAt: new Date(T0 - 2 * 86_400_000),
        outcome: 'completed',
        manifest: { ref: `elsewhere/${elsewhere}`, digest: manifest.digest },
      },
    ]);
    for (const [target, why] of [
      [altered, 'altered or corrupt'],
      [elsewhere, 'not a valid transfer request'],
    ] as const) {
      const response = await h.app.inject({
        url: `/v1/transfers/${target}/serials`,
        headers: { authorization: `Bearer ${both}` },
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: 'manifest_unreadable' });
      expect(response.json<{ message: string }>().message).toContain(why);
      expect(response.json<{ message: string }>().message).toContain(target);
      expect(response.body).not.toMatch(/PIN-/);
    }
  });

  it('403 without serials:read, and without transfers:read', async () => {
    for (const token of [read, await h.token('serials:read')]) {
      const { status, body } = await get<{ error: string }>(`/v1/transfers/${id}/serials`, token);
      expect(status).toBe(403);
      expect(body.error).toBe('forbidden');
    }
  });
});

describe('authentication', () => {
  it('401 without a token, 403 without transfers:read, on every read route', async () => {
    const write = await h.token('transfers:write');
    const id = seeded[0]?.id;
    for (const url of [
      '/v1/transfers',
      '/v1/transfers/counts',
      `/v1/transfers/${id}`,
      `/v1/transfers/${id}/events`,
      '/v1/live',
    ]) {
      const none = await get<{ error: string }>(url, null);
      expect(none.status, url).toBe(401);
      expect(none.body.error).toBe('unauthorized');
      const other = await get<{ error: string }>(url, write);
      expect(other.status, url).toBe(403);
      expect(other.body.error).toBe('forbidden');
    }
  });

  it('GET /v1/auth/whoami answers any valid token its name and scopes (never its id), 401 without one', async () => {
    const token = await h.token('serials:read');
    const { status, body } = await get<Record<string, unknown>>('/v1/auth/whoami', token);
    expect(status).toBe(200);
    expect(body).toEqual({ name: expect.any(String), scopes: ['serials:read'] });
    const tokenId = token.split('_')[1] ?? '';
    expect(tokenId).not.toBe('');
    expect(JSON.stringify(body)).not.toContain(tokenId);
    expect((await get('/v1/auth/whoami', null)).status).toBe(401);
    expect((await get('/v1/auth/whoami', `${token.slice(0, -2)}xx`)).status).toBe(401);
  });

  it('health and the OpenAPI document are public; the document lists every route', async () => {
    expect((await get('/healthz', null)).status).toBe(200);
    expect((await get('/readyz', null)).status).toBe(200);
    const { status, body } = await get<{ paths: Record<string, unknown> }>('/openapi.json', null);
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/transfers',
        '/v1/transfers/counts',
        '/v1/transfers/{id}',
        '/v1/transfers/{id}/events',
        '/v1/transfers/{id}/serials',
        '/v1/live',
      ]),
    );
  });
});

describe('GET /v1/live', () => {
  it('sends an event published after connecting, and resumes after Last-Event-ID', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const url = `http://127.0.0.1:${port}/v1/live`;
    const auth = { authorization: `Bearer ${read}` };
    const publisher = new EventPublisher(jetstream(h.nc), h.names);
    const id = newTransferId();
    const [requested, ...next] = transferEvents({ transferId: id, createdAt: new Date(), outcome: 'done_2' });
    if (requested === undefined) throw new Error('no events');

    const live = await openSse(url, auth);
    expect(live.status).toBe(200);
    const one = await openSse(`${url}?transfer_id=${id}`, auth);
    const published = await publisher.publish(requested);
    const [message] = await live.next(1);
    expect(message).toMatchObject({
      id: String(published.seq),
      event: 'transfer.requested',
      data: { transfer_id: id, type: 'transfer.requested', generation: 1, seq: published.seq },
    });
    // Another transfer's event does not reach the feed of one transfer.
    const other = newEvent(
      'transfer.cancel_requested',
      { transferid: newTransferId(), generation: 2, actor: 't', source: 's' },
      {},
    );
    await publisher.publish(other);
    for (const event of next) await publisher.publish(event);
    expect((await one.next(3)).map((m) => m.event)).toEqual(['transfer.requested', 'po_a.done', 'pr_a.done']);
    for (let i = 0; i < 50 && !live.sawComment('heartbeat'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(live.sawComment('heartbeat')).toBe(true);
    live.close();
    one.close();

    const resumed = await openSse(url, { ...auth, 'last-event-id': String(published.seq) });
    expect((await resumed.next(3)).map((m) => m.event)).toEqual([
      'transfer.cancel_requested',
      'po_a.done',
      'pr_a.done',
    ]);
    resumed.close();
    // Each client's consumer goes with it.
    const jsm = await jetstreamManager(h.nc);
    const deadline = Date.now() + 10_000;
    let left = -1;
    while (Date.now() < deadline) {
      left = (await jsm.consumers.list(h.names.stream).next()).length;
      if (left === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(left).toBe(0);

    const bad = await get<{ problems: { path: string }[] }>('/v1/live', read, { 'last-event-id': 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p) => p.path)).toEqual(['Last-Event-ID']);
  });
});
