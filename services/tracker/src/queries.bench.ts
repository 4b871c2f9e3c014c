import { randomBytes } from 'node:crypto';
import {
  busNames,
  connectNats,
  DataKeyStore,
  EventPublisher,
  ensureStream,
  ManifestStore,
  SerialDigester,
} from '@interco/bus';
import { sampleRequest } from '@interco/bus/test-support';
import { type IntercoEvent, newTransferId } from '@interco/contracts';
import { SecretBox } from '@interco/erpnext';
import { createLogger } from '@interco/service';
import { LocalFerretDb, LocalNatsServer } from '@interco/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { startProjector } from './projection/projector.js';
import { CountsCache, UNFILTERED } from './queries/counts-cache.js';
import type { ListTransfersQuery } from './queries/list-query.schema.js';
import { TransferReader } from './queries/transfer-reader.js';
import { TrackerStore, type TransferSerials } from './read-model/tracker-store.js';
import { documentFromJournal } from './read-model/transfer-documents.js';
import { type TransferShape, transferEvents } from './test-support/query-fixtures.js';

// The read model's queries on FerretDB 1.x (SQLite; started here, deleted after): TRANSFERS
// transfers of SERIALS serials each, seeded with insertMany; then p50/p95 of each query as the
// API asks it, and the projector's apply rate (events per second) from a NATS backlog.
const TRANSFERS = Number(process.env.TRACKER_BENCH_TRANSFERS ?? 10_000);
const SERIALS = 100;
const CHUNK = 500;
const OUTCOMES: NonNullable<TransferShape['outcome']>[] = [
  'completed',
  'done_2',
  'failed_at_pr_a',
  'waiting',
  'requested',
];
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

const box = SecretBox.fromKeyText(randomBytes(32).toString('base64'));
const digester = SerialDigester.fromSecretBox(box);
const clock = () => ({ now: new Date(T0 + (TRANSFERS + 60) * 60_000), stuckAfterMs: 15 * 60_000 });
const timings = new Map<string, number[]>();
const figures: Record<string, string> = {};

let ferret: LocalFerretDb;
let nats: LocalNatsServer;
let client: MongoClient;
let nc: NatsConnection;
let store: TrackerStore;
let reader: TransferReader;
let counts: CountsCache;
const ids: string[] = [];

function serialOf(transfer: number, k: number): string {
  return `BENCH-${transfer}-${k}`;
}

function shapeOf(i: number): TransferShape {
  return {
    transferId: newTransferId(T0 + i * 60_000),
    createdAt: new Date(T0 + i * 60_000),
    outcome: OUTCOMES[i % OUTCOMES.length] ?? 'requested',
    instances: { a: `erp-${i % 10}`, b: `erp-${(i + 1) % 10}` },
    reference: `REF-${i}`,
    serials: SERIALS,
  };
}

async function seed(): Promise<void> {
  const started = performance.now();
  let seq = 1;
  let serialMs = 0;
  for (let from = 0; from < TRANSFERS; from += CHUNK) {
    const docs = [];
    const serials: TransferSerials[] = [];
    for (let i = from; i < Math.min(TRANSFERS, from + CHUNK); i++) {
      const events = transferEvents(shapeOf(i));
      const id = events[0]?.transferid ?? '';
      ids.push(id);
      docs.push({
        ...documentFromJournal(
          id,
          events.map((event, k) => ({ seq: seq + k, event })),
        ),
        serials_indexed: true,
      });
      seq += events.length;
      serials.push({
        transferId: id,
        digests: Array.from({ length: SERIALS }, (_, k) => digester.digest(serialOf(i, k))),
      });
    }
    await store.insertNew(docs);
    const s = performance.now();
    await store.indexSerialsBatch(serials);
    serialMs += performance.now() - s;
  }
  const total = performance.now() - started;
  figures.seed = `${TRANSFERS.toLocaleString('en')} transfers, ${(TRANSFERS * SERIALS).toLocaleString('en')} serials in ${(total / 1000).toFixed(1)} s (serials ${(serialMs / 1000).toFixed(1)} s)`;
}

async function timed(name: string, run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await run();
  const list = timings.get(name) ?? [];
  list.push(performance.now() - started);
  timings.set(name, list);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function list(query: ListTransfersQuery, serialDigest?: string) {
  return reader.list({ query, limit: 50, serialDigest });
}

/** The unfiltered list's fifth page, by the cursors of the four before it (only the fifth timed). */
async function pageFive(): Promise<void> {
  let cursor: string | null = null;
  for (let page = 1; page < 5; page++) {
    cursor = (await list(cursor === null ? {} : { cursor })).next_cursor;
    if (cursor === null) throw new Error(`only ${page} pages of 50: seed more transfers`);
  }
  const fifth = cursor ?? '';
  await timed('list page 5 by cursor', async () => {
    const page = await list({ cursor: fifth });
    if (page.transfers.length !== 50) throw new Error(`page 5 has ${page.transfers.length} transfers`);
  });
}

/** The projector's apply rate: `transfers` transfers of 4 events each published, then applied. */
async function projectorRate(transfers: number, interleaved: boolean): Promise<string> {
  const names = busNames(`bench_${interleaved ? 'live' : 'backlog'}`);
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, names);
  // as intake's first start does (the tracker only reads the serial digest key)
  await (await DataKeyStore.open(nc, names, box)).createSerialDigestKey();
  const manifests = await ManifestStore.open(nc, names, box);
  const publisher = new EventPublisher(jetstream(nc), names);
  const histories: IntercoEvent[][] = [];
  for (let i = 0; i < transfers; i++) {
    const transferId = newTransferId();
    const manifest = await manifests.put(transferId, sampleRequest(SERIALS, 2, `P${i}`));
    histories.push(transferEvents({ transferId, createdAt: new Date(), outcome: 'done_3', manifest }));
  }
  const events = interleaved
    ? [0, 1, 2, 3].flatMap((k) => histories.map((history) => history[k]).filter((e) => e !== undefined))
    : histories.flat();
  for (const event of events) await publisher.publish(event);
  const projectorStore = new TrackerStore(client.db(`bench_${interleaved ? 'live' : 'backlog'}`));
  await projectorStore.ensureIndexes();
  const started = performance.now();
  const projector = startProjector({
    nc,
    names,
    store: projectorStore,
    box,
    digester,
    logger: createLogger('tracker', { level: 'silent' }),
    batchSize: 256,
    fetchExpiresMs: 1000,
  });
  await projector.ready;
  while (projector.stats().applied_events < events.length) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - started) / 1000;
  await projector.drain();
  const rate = events.length / seconds;
  return `${events.length} events (${transfers} transfers, ${interleaved ? 'interleaved: one replaceOne per transfer per batch' : 'transfer by transfer: insertMany'}) in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} events/s`;
}

beforeAll(async () => {
  [ferret, nats] = await Promise.all([LocalFerretDb.start(), LocalNatsServer.start()]);
  client = await new MongoClient(ferret.url).connect();
  nc = await connectNats({ url: nats.url, name: 'tracker-bench' });
  store = new TrackerStore(client.db('bench'));
  await store.ensureIndexes();
  reader = new TransferReader(store, clock);
  // A count scans on FerretDB (10,000 transfers: more than the service's 10 s): the bench waits for it.
  counts = new CountsCache({ count: (filter, limit) => reader.counts(filter, limit), timeoutMs: 600_000 });
  await seed();
}, 600_000);

afterAll(async () => {
  const rows = [...timings].map(([query, samples]) => {
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      query,
      runs: sorted.length,
      'p50 ms': percentile(sorted, 50).toFixed(1),
      'p95 ms': percentile(sorted, 95).toFixed(1),
    };
  });
  console.log(`\ntracker queries on FerretDB: ${figures.seed}`);
  console.table(rows);
  for (const key of ['backlog', 'live'])
    if (figures[key] !== undefined) console.log(`projector ${key}: ${figures[key]}`);
  await nc?.close();
  await client?.close();
  await Promise.all([ferret?.dispose(), nats?.dispose()]);
}, 120_000);

// A scan of 10,000 transfer documents takes ~10 s on FerretDB 1.x (SQLite): the filtered
// queries run SCAN_RUNS times each, inside one bench that runs once (vitest repeats a bench
// function more often than asked); raise TRACKER_BENCH_SCAN_RUNS for steadier percentiles.
const SCAN_RUNS = Number(process.env.TRACKER_BENCH_SCAN_RUNS ?? 1);
const ONCE = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 };
const READS = { iterations: 20, time: 0, warmupIterations: 0, warmupTime: 0 };
let n = 0;
let scanned = false;
const pick = () => ids[(n++ * 7919) % ids.length] ?? '';

describe(`tracker queries (${TRANSFERS.toLocaleString('en')} transfers)`, () => {
  bench('by id', () => timed('by id', () => reader.get(pick())), READS);
  bench(
    'list by serial',
    async () => {
      const i = (n++ * 104_729) % TRANSFERS;
      await timed('list by serial', async () => {
        const page = await list({ serial: serialOf(i, 42) }, digester.digest(serialOf(i, 42)));
        const found = page.transfers.map((t) => t.transfer_id);
        if (found.length !== 1 || found[0] !== ids[i]) {
          throw new Error(`serial ${serialOf(i, 42)} found ${found.join(',')}, not ${ids[i]}`);
        }
      });
    },
    READS,
  );
  bench(
    'filtered lists and counts (scans)',
    async () => {
      if (scanned) return;
      scanned = true;
      for (let run = 0; run < SCAN_RUNS; run++) {
        await timed('list unfiltered', () => list({}));
        await timed('list by status', () => list({ status: 'failed' }));
        await timed('list by instance', () => list({ instance: 'erp-3' }));
        await timed('list by reference', () => list({ reference: `REF-${n++ % TRANSFERS}` }));
        await pageFive();
        await timed('counts (a count)', () => reader.counts(UNFILTERED, { maxTimeMs: 600_000 }));
        await counts.counts(UNFILTERED);
        await timed('counts (cached)', () => counts.counts(UNFILTERED));
      }
    },
    ONCE,
  );
  bench(
    'projector: backlog and interleaved',
    async () => {
      if (figures.backlog !== undefined) return;
      figures.backlog = await projectorRate(Number(process.env.TRACKER_BENCH_PROJECTOR ?? 500), false);
      figures.live = await projectorRate(Number(process.env.TRACKER_BENCH_PROJECTOR_LIVE ?? 50), true);
    },
    ONCE,
  );
});
