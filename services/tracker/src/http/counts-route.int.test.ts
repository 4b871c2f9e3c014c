/**
 * GET /v1/transfers/counts on the real FerretDB: the list's filters change the counts (the
 * `$group` aggregate and the stuck `countDocuments` over the list's `$and`/`$or` filters), the
 * cache answers with `as_of`, and the serial filter needs serials:read. The 503 of a count that
 * times out: counts-route.http.test.ts (the server's own time-out of a count, MaxTimeMSExpired:
 * transfer-reader-counts.int.test.ts).
 */
import type { IntercoEvent } from '@interco/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSFER_STATUSES } from '../queries/counts.js';
import { documentFromJournal } from '../read-model/transfer-documents.js';
import { type TransferShape, transferEvents } from '../test-support/query-fixtures.js';
import { type QueryHarness, startQueryHarness } from '../test-support/query-harness.js';
import type { TransferCounts, TransferList } from './schemas.js';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const NOW = new Date(T0 + 10 * 86_400_000);
const OUTCOMES = ['failed_at_dn_a', 'completed', 'done_2', 'waiting', 'requested', 'done_1'] as const;

let h: QueryHarness;
let read: string;
let both: string;
/** The counts cache's clock (milliseconds). */
let cacheNow = NOW.getTime();
let seq = 1;
const serialIds: string[] = [];

function shapeOf(i: number): TransferShape {
  return {
    createdAt: new Date(T0 + i * 3_600_000),
    outcome: OUTCOMES[i % OUTCOMES.length] ?? 'requested',
    ...(i % 3 === 0 ? { instances: { a: 'erp-x', b: 'erp-y' } } : {}),
    ...(i % 4 === 0 ? { companyA: 'Acme' } : {}),
    ...(i % 5 === 0 ? { companyB: 'Globex' } : {}),
    ...(i % 7 === 0 ? { reference: 'PO-7' } : {}),
  };
}

async function seed(shapes: readonly TransferShape[]): Promise<string[]> {
  const docs = shapes.map((shape) => {
    const events: IntercoEvent[] = transferEvents(shape);
    const first = seq;
    seq += events.length;
    return documentFromJournal(
      events[0]?.transferid ?? '',
      events.map((event, k) => ({ seq: first + k, event })),
    );
  });
  await h.transfers.insertMany(docs);
  return docs.map((doc) => doc._id);
}

async function get<T>(url: string, token: string = read) {
  const response = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  return { status: response.statusCode, body: response.json<T>() };
}

/** The counts the list says for these filters (its every page; 200 is more than seeded). */
async function fromList(query: string, token: string = read): Promise<Omit<TransferCounts, 'as_of'>> {
  const { status, body } = await get<TransferList>(`/v1/transfers?limit=200&${query}`, token);
  expect(status).toBe(200);
  expect(body.next_cursor).toBeNull();
  const byStatus = Object.fromEntries(TRANSFER_STATUSES.map((s) => [s, 0]));
  for (const view of body.transfers) byStatus[view.status] = (byStatus[view.status] ?? 0) + 1;
  return {
    total: body.transfers.length,
    by_status: byStatus,
    stuck: body.transfers.filter((view) => view.stuck).length,
  };
}

beforeAll(async () => {
  h = await startQueryHarness({
    counts: {
      maxAgeMs: 5_000,
      now: () => cacheNow,
      monotonicNow: () => cacheNow,
    },
  });
  h.clock.now = NOW;
  read = await h.token('transfers:read');
  both = await h.token('transfers:read', 'serials:read');
  await seed(Array.from({ length: 60 }, (_, i) => shapeOf(i)));
  // Recent running transfers: not stuck.
  await seed([
    { createdAt: new Date(NOW.getTime() - 60_000), outcome: 'done_1', instances: { a: 'erp-x', b: 'erp-z' } },
    { createdAt: new Date(NOW.getTime() - 30_000), outcome: 'requested', companyA: 'Acme' },
  ]);
  // Three transfers that moved one serial.
  serialIds.push(
    ...(await seed([
      { createdAt: new Date(T0 + 1_000), outcome: 'completed' },
      { createdAt: new Date(T0 + 2_000), outcome: 'waiting', instances: { a: 'erp-x', b: 'erp-b' } },
      { createdAt: new Date(T0 + 3_000), outcome: 'failed_at_po_a' },
    ])),
  );
  await h.serials.insertOne({ _id: h.digester.digest('PIN-COUNTED'), transfers: [...serialIds] });
});

afterAll(async () => {
  await h?.close();
});

describe('GET /v1/transfers/counts', () => {
  it.each([
    ['no filter', ''],
    ['step', 'step=dn_a'],
    [
      'created_from and created_to',
      'created_from=2026-11-01T05:00:00Z&created_to=2026-11-02T06:00:00%2B01:00',
    ],
    ['instance (either side: an $or)', 'instance=erp-y'],
    ['instance, the other side', 'instance=erp-x'],
    ['company (four fields: an $or)', 'company=Acme'],
    ['company as b', 'company=Globex'],
    ['reference', 'reference=PO-7'],
    ['filters combined', 'instance=erp-x&company=Acme&created_from=2026-11-01T10:00:00Z'],
    ['nothing matches', 'reference=NONE'],
  ])('%s: the same counts as the list with those filters', async (_name, query) => {
    const { status, body } = await get<TransferCounts>(`/v1/transfers/counts?${query}`);
    expect(status).toBe(200);
    const { as_of, ...counts } = body;
    expect(counts).toEqual(await fromList(query));
    expect(Object.keys(body.by_status).sort()).toEqual([...TRANSFER_STATUSES].sort());
    expect(as_of).toBe(new Date(cacheNow).toISOString());
  });

  it('the filters change the counts (the list’s own, seen above, differ between filters)', async () => {
    const all = (await get<TransferCounts>('/v1/transfers/counts')).body;
    const x = (await get<TransferCounts>('/v1/transfers/counts?instance=erp-x')).body;
    const acme = (await get<TransferCounts>('/v1/transfers/counts?company=Acme')).body;
    expect(all.total).toBeGreaterThan(x.total);
    expect(x.total).toBeGreaterThan(0);
    expect(acme.total).not.toBe(x.total);
    expect(all.stuck).toBeGreaterThan(x.stuck);
    expect(x.stuck).toBeGreaterThan(0);
  });

  it('answers from the cache while fresh (as_of unchanged), then counts again', async () => {
    const query = '/v1/transfers/counts?step=po_a';
    const first = (await get<TransferCounts>(query)).body;
    await seed([{ createdAt: new Date(T0 + 90 * 3_600_000), outcome: 'requested' }]);
    cacheNow += 4_999;
    expect((await get<TransferCounts>(query)).body).toEqual(first);
    cacheNow += 1;
    const next = (await get<TransferCounts>(query)).body;
    expect(next.total).toBe(first.total + 1);
    expect(next.by_status.pending).toBe((first.by_status.pending ?? 0) + 1);
    expect(next.as_of).toBe(new Date(cacheNow).toISOString());
    expect(Date.parse(next.as_of)).toBeGreaterThan(Date.parse(first.as_of));
  });

  it('the serial filter: the serial’s transfers, with the other filters, given serials:read', async () => {
    const all = (await get<TransferCounts>('/v1/transfers/counts?serial=pin-counted', both)).body;
    expect(all).toMatchObject({ total: 3, stuck: 1 });
    expect(all.by_status).toMatchObject({ completed: 1, waiting: 1, failed: 1, pending: 0 });
    const x = (await get<TransferCounts>('/v1/transfers/counts?serial=PIN-COUNTED&instance=erp-x', both))
      .body;
    expect(x).toMatchObject({ total: 1, stuck: 1, by_status: expect.objectContaining({ waiting: 1 }) });
    const { as_of: _, ...counts } = x;
    expect(counts).toEqual(await fromList('serial=PIN-COUNTED&instance=erp-x', both));
    expect((await get<TransferCounts>('/v1/transfers/counts?serial=NOT-MOVED', both)).body.total).toBe(0);
  });

  it('403 for the serial filter without serials:read, never echoing the serial', async () => {
    const answer = await get<{ error: string; message: string }>('/v1/transfers/counts?serial=PIN-COUNTED');
    expect(answer.status).toBe(403);
    expect(answer.body.error).toBe('forbidden');
    expect(answer.body.message).toContain('serials:read');
    expect(JSON.stringify(answer.body)).not.toContain('PIN-COUNTED');
  });

  it.each([
    ['status', 'failed'],
    ['stuck', 'true'],
    ['cursor', 'abc'],
    ['limit', '10'],
    ['step', 'po_z'],
    ['created_from', 'yesterday'],
  ])('400 naming %s when given %j', async (name, value) => {
    const { status, body } = await get<{ error: string; problems: { path: string }[] }>(
      `/v1/transfers/counts?${name}=${value}`,
    );
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
    expect(body.problems.map((p) => p.path)).toEqual([name]);
  });
});
