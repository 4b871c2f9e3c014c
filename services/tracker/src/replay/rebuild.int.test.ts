import type { IntercoEvent } from '@interco/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Projector, startProjector } from '../projection/projector.js';
import { TRACKER_CONSUMER } from '../projection/tracker-consumer.js';
import { HISTORY_KINDS } from '../test-support/histories.js';
import {
  documentsOf,
  eventually,
  openStreamFixture,
  type StoredTransfer,
  type StreamFixture,
  storedTransfer,
} from '../test-support/stream-fixture.js';
import type { ReplayProgress } from './progress.js';
import { rebuild } from './rebuild.js';

const TRANSFERS = Number(process.env.TRACKER_TEST_TRANSFERS ?? 1_000);
/**
 * Transfers whose events are published interleaved (round robin) with each other: all of them.
 * The live projector then consumes the backlog in one batch (after a first fetch of one): on
 * FerretDB 1.x a compare-and-set replaceOne({_id, version}) scans the collection (about 1.5 ms per
 * journal document), so a transfer spread over many small batches costs a scan per batch (see the
 * README).
 */
const INTERLEAVED = TRANSFERS;

let fixture: StreamFixture;
let transfers: StoredTransfer[] = [];
let lastSeq = 0;
let events = 0;

beforeAll(async () => {
  fixture = await openStreamFixture();
  for (let i = 0; i < TRANSFERS; i += 50) {
    const kinds = Array.from(
      { length: 50 },
      (_, j) => HISTORY_KINDS[(i + j) % HISTORY_KINDS.length] ?? 'completed',
    );
    transfers.push(...(await Promise.all(kinds.map((kind) => storedTransfer(fixture, kind)))));
  }
  events = transfers.reduce((sum, transfer) => sum + transfer.events.length, 0);
});
afterAll(async () => {
  await fixture?.close();
  transfers = [];
});

/** The events of groups of transfers, round robin within each group: each transfer's in order. */
function interleaved(all: readonly StoredTransfer[]): IntercoEvent[] {
  const order: IntercoEvent[] = [];
  for (let g = 0; g < all.length; g += INTERLEAVED) {
    const group = all.slice(g, g + INTERLEAVED);
    const longest = Math.max(...group.map((transfer) => transfer.events.length));
    for (let round = 0; round < longest; round++) {
      for (const transfer of group) {
        const event = transfer.events[round];
        if (event !== undefined) order.push(event);
      }
    }
  }
  return order;
}

describe(`${TRANSFERS} transfers: live, then rebuilt`, () => {
  it('the rebuilt read model is identical to the live one', { timeout: 180_000 }, async () => {
    const live = fixture.store('live');
    await live.ensureIndexes();
    const started = performance.now();
    const order = interleaved(transfers);
    for (let i = 0; i < order.length; i += 200) {
      const acks = await Promise.all(
        order.slice(i, i + 200).map((event) => fixture.publisher.publish(event)),
      );
      lastSeq = Math.max(lastSeq, ...acks.map((ack) => ack.seq));
    }
    const published = performance.now();
    let projector: Projector | undefined = startProjector({
      nc: fixture.nc,
      names: fixture.names,
      store: live,
      box: fixture.box,
      digester: fixture.digester,
      logger: fixture.logger,
      batchSize: 10_000,
    });
    await projector.ready;
    await eventually(() => (projector?.stats().last_seq ?? 0) >= lastSeq, 150_000);
    const liveMs = performance.now() - published;
    const stats = projector.stats();
    await projector.drain();
    projector = undefined;

    const rebuilt = fixture.store('rebuilt');
    const progress: ReplayProgress[] = [];
    const summary = await rebuild({
      nc: fixture.nc,
      names: fixture.names,
      store: rebuilt,
      box: fixture.box,
      logger: fixture.logger,
      onProgress: (line) => progress.push(line),
    });
    console.info(
      `${TRANSFERS} transfers, ${events} events: published in ${Math.round(published - started)} ms; live projector caught up in ${Math.round(liveMs)} ms (${Math.round((events * 1000) / liveMs)} events/s, ${stats.batches} batches); rebuild ${summary.elapsedMs} ms (${summary.eventsPerSecond} events/s, ${progress.length} progress reports)`,
    );
    expect(summary).toMatchObject({ events, transfers: TRANSFERS, lastSeq });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ events, transfers: TRANSFERS });

    const liveDocs = await documentsOf(live);
    const rebuiltDocs = await documentsOf(rebuilt);
    expect(liveDocs.size).toBe(TRANSFERS);
    expect(rebuiltDocs.size).toBe(TRANSFERS);
    for (const [id, doc] of liveDocs) expect(rebuiltDocs.get(id)).toEqual(doc);
    const serials = async (store: typeof live) => await store.serials.find({}).sort({ _id: 1 }).toArray();
    const liveSerials = await serials(live);
    expect(liveSerials).toHaveLength(TRANSFERS * 3);
    expect(await serials(rebuilt)).toEqual(liveSerials);

    const statuses = new Map<string, number>();
    for (const doc of liveDocs.values())
      statuses.set(String(doc.status), (statuses.get(String(doc.status)) ?? 0) + 1);
    expect([...statuses.keys()].sort()).toEqual(
      ['cancel_failed', 'cancelled', 'completed', 'failed', 'waiting'].sort(),
    );

    const consumer = await fixture.jsm.consumers.info(fixture.names.stream, TRACKER_CONSUMER);
    expect(consumer.config).toMatchObject({
      deliver_policy: 'by_start_sequence',
      opt_start_seq: lastSeq + 1,
    });
    expect(consumer.num_pending).toBe(0);
  });
});
