/**
 * GET /v1/transfers/counts over HTTP, with the real counts cache over a counter the test drives:
 * what reaches the cache (the filters; a serial only as its keyed digest), a real time-out, the
 * server's time-out of a count (MaxTimeMSExpired), and the scopes. The same route against FerretDB: counts-route.int.test.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '@interco/auth';
import { SerialDigester } from '@interco/bus';
import { SecretBox } from '@interco/erpnext';
import { createApiApp } from '@interco/http';
import { fixedTokens, silentLogger } from '@interco/http/test-support';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { noTransfers, type StatusCounts } from '../queries/counts.js';
import {
  CountsCache,
  type CountsCacheOptions,
  type CountsFilter,
  countsKey,
} from '../queries/counts-cache.js';
import type { TrackerRouteDeps } from './deps.js';
import type { TransferCounts } from './schemas.js';
import { registerTransferRoutes } from './transfer-routes.js';

const reader: Principal = { tokenId: 'abcdefgh2345', name: 'dashboard', scopes: ['transfers:read'] };
const serials: Principal = {
  tokenId: 'abcdefgh2346',
  name: 'support',
  scopes: ['transfers:read', 'serials:read'],
};
const tokens = fixedTokens({ reader, serials });
const digester = SerialDigester.fromSecretBox(SecretBox.fromKeyText(randomBytes(32).toString('base64')));
const COUNTS: StatusCounts = { total: 3, by_status: { ...noTransfers(), completed: 3 }, stuck: 0 };

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(options: Partial<CountsCacheOptions> = {}) {
  const seen: CountsFilter[] = [];
  const counts = new CountsCache({
    count: async (filter) => {
      seen.push(filter);
      return COUNTS;
    },
    ...options,
  });
  app = await createApiApp({
    logger: silentLogger,
    tokens,
    openapi: { title: 'Counts', description: 'the counts route', version: '1.0.0' },
  });
  registerTransferRoutes(app, { counts, digester } as unknown as TrackerRouteDeps);
  const get = async (query: string, token = 'reader') => {
    const response = await app?.inject({
      url: `/v1/transfers/counts${query}`,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response?.statusCode ?? 0, body: response?.json<Record<string, unknown>>() ?? {} };
  };
  return { seen, counts, get };
}

describe('GET /v1/transfers/counts', () => {
  it('hands the cache the filters, and a serial only as its keyed digest', async () => {
    const { seen, counts, get } = await serve();
    const answer = await get(
      '?serial=PIN-9876&step=pr_b&created_from=2026-12-01T01:00:00%2B01:00',
      'serials',
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ...COUNTS, as_of: expect.any(String) });
    expect(Number.isNaN(Date.parse(String(answer.body.as_of)))).toBe(false);
    expect(seen).toEqual([
      {
        query: { step: 'pr_b', created_from: '2026-12-01T01:00:00+01:00' },
        serialDigest: digester.digest('PIN-9876'),
      },
    ]);
    expect(JSON.stringify(seen)).not.toContain('9876');
    expect(counts.keys().join()).not.toContain('9876');
    // the same filters spelled otherwise share the entry
    await get('?created_from=2026-12-01T00:00:00Z&step=pr_b&serial=pin-9876', 'serials');
    expect(seen).toHaveLength(1);
    expect(counts.keys()).toEqual([countsKey(seen[0] as CountsFilter)]);
  });

  it('403 for a serial without serials:read, before anything is counted', async () => {
    const { seen, get } = await serve();
    const answer = await get('?serial=PIN-9876');
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: 'forbidden' });
    expect(JSON.stringify(answer.body)).not.toContain('PIN-9876');
    expect(seen).toEqual([]);
  });

  it('503 counts_unavailable once a count hangs longer than the time-out, with no counts before', async () => {
    const { get } = await serve({ timeoutMs: 50, count: () => new Promise<StatusCounts>(() => undefined) });
    const started = performance.now();
    const answer = await get('?instance=erp-a');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      error: 'counts_unavailable',
      message:
        'counting the transfers took longer than 0.05 s: narrow the filter (for example a date range) or try again',
    });
  });

  it('503 counts_unavailable when the server stops the count at its time limit (MaxTimeMSExpired), with no counts before', async () => {
    // code 50 as MongoDB and FerretDB answer it (transfer-reader-counts.int.test.ts has FerretDB do so)
    const { get } = await serve({
      count: () => Promise.reject(Object.assign(new Error('operation exceeded time limit'), { code: 50 })),
    });
    const answer = await get('?reference=R-1');
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      error: 'counts_unavailable',
      message:
        'counting the transfers took longer than 10 s: narrow the filter (for example a date range) or try again',
    });
  });

  it('a filter counted before answers its last counts when the next count hangs', async () => {
    let now = Date.parse('2026-12-05T12:00:00.000Z');
    let hang = false;
    const { get } = await serve({
      timeoutMs: 50,
      maxAgeMs: 1_000,
      now: () => now,
      monotonicNow: () => now,
      count: () => (hang ? new Promise<StatusCounts>(() => undefined) : Promise.resolve(COUNTS)),
    });
    const first = (await get('?reference=R-1')).body as TransferCounts;
    now += 60_000;
    hang = true;
    const stale = await get('?reference=R-1');
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual(first);
    expect(first.as_of).toBe('2026-12-05T12:00:00.000Z');
  });

  it('503 counts_unavailable for a filter never counted while as many counts as it may start are running', async () => {
    const hung: ((counts: StatusCounts) => void)[] = [];
    let hang = true;
    const { get } = await serve({
      maxRunning: 3,
      count: () =>
        hang ? new Promise<StatusCounts>((resolve) => hung.push(resolve)) : Promise.resolve(COUNTS),
    });
    const running = [get('?reference=R-1'), get('?reference=R-2')];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hung).toHaveLength(2);
    // the third place is kept for the unfiltered counts
    const busy = await get('?reference=R-3');
    expect(busy.status).toBe(503);
    expect(busy.body).toEqual({
      error: 'counts_unavailable',
      message: '2 counts of the transfers are running already: try again in a few seconds',
    });
    expect(hung).toHaveLength(2);
    const unfiltered = get('');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hung).toHaveLength(3);
    hang = false;
    for (const release of hung) release(COUNTS);
    expect((await Promise.all([...running, unfiltered])).map((answer) => answer.status)).toEqual([
      200, 200, 200,
    ]);
    expect((await get('?reference=R-3')).status).toBe(200);
  });

  it('a filter whose count failed is not counted again for TRACKER_COUNTS_MAX_AGE_MS: 503 meanwhile', async () => {
    let monotonic = 0;
    let calls = 0;
    const { get } = await serve({
      maxAgeMs: 5_000,
      monotonicNow: () => monotonic,
      count: async () => {
        calls++;
        throw new Error('MongoDB is not answering');
      },
    });
    expect((await get('?reference=R-1')).status).toBe(500);
    const backingOff = await get('?reference=R-1');
    expect(backingOff.status).toBe(503);
    expect(backingOff.body).toEqual({
      error: 'counts_unavailable',
      message: 'counting the transfers failed a moment ago: try again in a few seconds',
    });
    expect(calls).toBe(1);
    monotonic += 5_000;
    expect((await get('?reference=R-1')).status).toBe(500);
    expect(calls).toBe(2);
  });
});
