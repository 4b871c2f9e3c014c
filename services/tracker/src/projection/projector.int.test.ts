import { STEPS } from '@interco/contracts';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SequencedEvent } from '../read-model/journal.js';
import type { TrackerStore } from '../read-model/tracker-store.js';
import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import { replay } from '../replay/replay.js';
import { HISTORY_KINDS, type HistoryKind } from '../test-support/histories.js';
import {
  documentsOf,
  eventually,
  openStreamFixture,
  publishAll,
  type StoredTransfer,
  type StreamFixture,
  storedTransfer,
} from '../test-support/stream-fixture.js';
import { type Projector, startProjector } from './projector.js';
import { writeEvents } from './store-writer.js';

let fixture: StreamFixture;
let store: TrackerStore;
let projector: Projector;
const transfers = new Map<HistoryKind, StoredTransfer>();
const applied: TransferDocument[] = [];
let lastSeq = 0;

beforeAll(async () => {
  fixture = await openStreamFixture();
  store = fixture.store('live');
  await store.ensureIndexes();
  for (const kind of HISTORY_KINDS) transfers.set(kind, await storedTransfer(fixture, kind));
  projector = startProjector({
    nc: fixture.nc,
    names: fixture.names,
    store,
    box: fixture.box,
    digester: fixture.digester,
    logger: fixture.logger,
    batchSize: 16,
    undecodableDelayMs: 200,
    onApplied: (docs) => applied.push(...docs),
  });
  await projector.ready;
  // Published one transfer after another, each in order.
  for (const transfer of transfers.values()) lastSeq = await publishAll(fixture, transfer.events);
  await eventually(() => projector.stats().last_seq >= lastSeq);
});
afterAll(async () => {
  await projector?.drain();
  await fixture?.close();
});

const docOf = async (kind: HistoryKind) => {
  const doc = await store.find(transfers.get(kind)?.transferId ?? '');
  if (doc === undefined) throw new Error(`no document for the ${kind} transfer`);
  return doc;
};

describe('the projector', () => {
  it('a happy path: completed, documents per step, each step started and finished', async () => {
    const doc = await docOf('completed');
    expect(doc).toMatchObject({ status: 'completed', current_step: null, serials_indexed: true });
    expect(doc.journal.map((entry) => entry.type)).toEqual([
      'transfer.requested',
      ...STEPS.map((step) => `${step}.done`),
    ]);
    expect(doc.journal.every((entry) => entry.change === 'applied')).toBe(true);
    for (const step of STEPS) {
      const state = doc.state?.steps[step];
      expect(state?.status).toBe('done');
      expect(state?.documents).toHaveLength(1);
      expect(Date.parse(state?.finished_at ?? '')).toBeGreaterThan(Date.parse(state?.started_at ?? ''));
    }
    expect(projector.stats().applied_events).toBe(
      [...transfers.values()].reduce((sum, transfer) => sum + transfer.events.length, 0),
    );
  });

  it('a failure keeps ERPNext messages; waiting, retried, cancelled and cancel_failed transfers', async () => {
    const failed = await docOf('failed');
    expect(failed).toMatchObject({ status: 'failed', current_step: 'dn_a' });
    expect(failed.state?.steps.dn_a.last_error?.messages).toEqual([
      'Serial No [serial items[0].serials[0]] is already present',
    ]);
    const waiting = await docOf('waiting');
    expect(waiting.status).toBe('waiting');
    expect(waiting.state?.steps.pr_a).toMatchObject({ status: 'waiting', attempts: 2 });
    const retried = await docOf('retried');
    expect(retried).toMatchObject({ status: 'completed' });
    expect(retried.state?.generation).toBe(2);
    const cancelled = await docOf('cancelled');
    expect(cancelled).toMatchObject({ status: 'cancelled', current_step: null });
    expect(STEPS.map((step) => cancelled.state?.steps[step].status)).toEqual(STEPS.map(() => 'cancelled'));
    expect((await docOf('cancel_failed')).status).toBe('cancel_failed');
  });

  it('fills the serial index: a serial is found by its digest', async () => {
    for (const transfer of transfers.values()) {
      for (const serial of transfer.serials) {
        expect(await store.transfersOfSerial(fixture.digester.digest(serial.toLowerCase()))).toEqual([
          transfer.transferId,
        ]);
      }
    }
  });

  it('hands every written document to onApplied', () => {
    const last = new Map(applied.map((doc) => [doc._id, doc]));
    expect(last.size).toBe(transfers.size);
  });

  it('applying the whole stream again (replay from 1) changes nothing', async () => {
    const before = await store.transfers.find({}).toArray();
    const summary = await replay({
      nc: fixture.nc,
      names: fixture.names,
      store,
      box: fixture.box,
      logger: fixture.logger,
      fromSequence: 1,
    });
    expect(summary.events).toBe(lastSeq);
    expect(summary.transfers).toBe(0);
    expect(await store.transfers.find({}).toArray()).toEqual(before);
  });

  it('redelivery in shuffled order and in copies gives the same documents', async () => {
    const entries: SequencedEvent[] = [];
    let seq = 0;
    for (const transfer of transfers.values())
      for (const event of transfer.events) entries.push({ seq: ++seq, event });
    const shuffled = seededShuffle([...entries, ...entries.slice(0, 10)], 42);
    const other = fixture.store('shuffled');
    for (let i = 0; i < shuffled.length; i += 7) {
      const groups = new Map<string, SequencedEvent[]>();
      for (const entry of shuffled.slice(i, i + 7)) {
        groups.set(entry.event.transferid, [...(groups.get(entry.event.transferid) ?? []), entry]);
      }
      await writeEvents({ store: other, logger: fixture.logger }, groups);
    }
    const live = await documentsOf(store);
    const redelivered = await documentsOf(other);
    expect(redelivered.size).toBe(live.size);
    for (const [id, doc] of live) expect(redelivered.get(id)).toEqual({ ...doc, serials_indexed: false });
  });

  it('keeps a message it cannot decode for later (nak with a delay, never terminated), and goes on', async () => {
    expect(projector.stats()).toMatchObject({ undecodable: 0, running: true });
    await jetstream(fixture.nc).publish(`${fixture.names.subjectPrefix}.t.tr_bogus.po_a.done`, 'not json');
    const next = await storedTransfer(fixture, 'completed');
    const seq = await publishAll(fixture, next.events);
    await eventually(() => projector.stats().last_seq >= seq);
    expect((await store.find(next.transferId))?.status).toBe('completed');
    // Delivered again after the delay (a terminated message would not come back).
    await eventually(() => projector.stats().undecodable >= 2);
    expect(projector.stats().running).toBe(true);
  });
});

/** A deterministic shuffle (mulberry32). */
function seededShuffle<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
