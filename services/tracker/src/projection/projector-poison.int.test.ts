import { Writable } from 'node:stream';
import { createLogger } from '@interco/service';
import { MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackerStore } from '../read-model/tracker-store.js';
import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import {
  eventually,
  openStreamFixture,
  publishAll,
  type StoredTransfer,
  type StreamFixture,
  storedTransfer,
} from '../test-support/stream-fixture.js';
import { type Projector, startProjector } from './projector.js';
import { TRACKER_CONSUMER } from './tracker-consumer.js';

/** A store that refuses, while `failing`, every write of one transfer's document (a permanent error). */
class RefusingStore extends TrackerStore {
  failing = true;
  refused = 0;
  poisonId = '';

  private refuse(): never {
    this.refused++;
    throw new MongoServerError({
      message: 'document is too large (test)',
      code: 10334,
      codeName: 'BSONObjectTooLarge',
    });
  }

  override async insertNew(docs: readonly TransferDocument[]): Promise<Set<string>> {
    if (!this.failing || !docs.some((doc) => doc._id === this.poisonId)) return super.insertNew(docs);
    // As an unordered insertMany: the others are written, then the refusal is thrown.
    await super.insertNew(docs.filter((doc) => doc._id !== this.poisonId));
    this.refuse();
  }

  override async replace(doc: TransferDocument, expectedVersion: number): Promise<boolean> {
    if (this.failing && doc._id === this.poisonId) this.refuse();
    return super.replace(doc, expectedVersion);
  }
}

let fixture: StreamFixture;
let store: RefusingStore;
let projector: Projector;
let good: StoredTransfer[];
let poison: StoredTransfer;
let lastSeq = 0;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  fixture = await openStreamFixture();
  store = new RefusingStore(fixture.store('poison').db);
  await store.ensureIndexes();
  good = [await storedTransfer(fixture, 'completed'), await storedTransfer(fixture, 'failed')];
  poison = await storedTransfer(fixture, 'completed');
  store.poisonId = poison.transferId;
  // All published before the projector starts: its first fetch takes one message (the first good
  // transfer's), the next one all the rest, the refused transfer among the others.
  const [first, second] = good as [StoredTransfer, StoredTransfer];
  await publishAll(fixture, first.events);
  for (let i = 0; i < Math.max(second.events.length, poison.events.length); i++) {
    const events = [second.events[i], poison.events[i]].filter((event) => event !== undefined);
    lastSeq = await publishAll(fixture, events);
  }
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  projector = startProjector({
    nc: fixture.nc,
    names: fixture.names,
    store,
    box: fixture.box,
    digester: fixture.digester,
    logger: createLogger('tracker-test', { level: 'warn', destination }),
    batchSize: 64,
    poisonDelayMs: 100,
    poisonMaxDelayMs: 400,
  });
  await projector.ready;
});
afterAll(async () => {
  await projector?.drain();
  await fixture?.close();
});

describe('a transfer whose write fails for good', () => {
  it('does not hold back the others of its batch; comes back with a growing delay; is written once it can be', async () => {
    // The others are written and acked while the refused transfer fails again and again.
    for (const transfer of good) {
      await eventually(async () => (await store.find(transfer.transferId))?.last_seq !== undefined);
    }
    const failures = () => lines.filter((line) => line.transfer_id === poison.transferId);
    await eventually(() => failures().some((line) => Number(line.delivery_count) >= 4));
    expect(projector.stats()).toMatchObject({ failing_transfers: 1, running: true });
    expect(await store.find(poison.transferId)).toBeUndefined();
    expect((await store.find(good[0]?.transferId ?? ''))?.status).toBe('completed');
    expect((await store.find(good[1]?.transferId ?? ''))?.status).toBe('failed');
    const others = good.reduce((sum, transfer) => sum + transfer.events.length, 0);
    expect(projector.stats().applied_events).toBe(others);

    // Its first failure was in a batch with the others, written one by one.
    const isolated = lines.find((line) => String(line.msg).includes('one by one to isolate'));
    expect(Number(isolated?.transfers)).toBeGreaterThanOrEqual(2);
    expect(isolated?.transfer_ids).toContain(poison.transferId);
    // Each time its messages come back, delivered once more, the delay doubles (up to the most).
    const counts = failures().map((line) => Number(line.delivery_count));
    expect(counts[0]).toBe(1);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    for (const line of failures()) {
      expect(line.redelivered_in_ms).toBe(Math.min(400, 100 * 2 ** (Number(line.delivery_count) - 1)));
    }
    expect(failures().every((line) => line.level === 'error')).toBe(true);
    // Never a serial in the log.
    const text = JSON.stringify(lines);
    for (const transfer of [...good, poison])
      for (const serial of transfer.serials) expect(text).not.toContain(serial);

    store.failing = false;
    // Its messages come back as their delays end (maybe over several batches): all are written.
    await eventually(
      async () => (await store.find(poison.transferId))?.journal.length === poison.events.length,
    );
    await eventually(() => projector.stats().applied_events === others + poison.events.length);
    const doc = await store.find(poison.transferId);
    expect(doc).toMatchObject({ status: 'completed', serials_indexed: true });
    expect(projector.stats()).toMatchObject({ failing_transfers: 0, last_seq: lastSeq, running: true });
    await eventually(async () => {
      const info = await fixture.jsm.consumers.info(fixture.names.stream, TRACKER_CONSUMER);
      return info.num_ack_pending === 0 && info.num_pending === 0;
    });
  });
});
