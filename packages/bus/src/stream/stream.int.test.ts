import { encodeEvent, type IntercoEvent, newEvent, newTransferId } from '@interco/contracts';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { nanos } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { sampleRequestedEvent } from '../test-support/store-fixtures.js';
import { ensureStream, MAX_EVENT_BYTES } from './ensure-stream.js';
import { EventPublisher, EventTooLargeError } from './event-publisher.js';
import { readTransferHistory } from './transfer-history.js';

const names = busNames(testNamespace().subjectPrefix);

/** A po_a.failed event whose encoded size is exactly `bytes`. */
function failedEventOfSize(transferId: string, bytes: number): IntercoEvent {
  const make = (filler: number) =>
    newEvent(
      'po_a.failed',
      { transferid: transferId, generation: 1, actor: 'tok_test', source: 'interco/po-a' },
      {
        instance: 'erp-a',
        attempt: 1,
        retryable: false,
        error: {
          kind: 'permanent',
          messages: Array.from({ length: Math.ceil(filler / 4000) }, (_, i) =>
            'x'.repeat(Math.max(0, Math.min(4000, filler - i * 4000))),
          ),
        },
      },
    );
  const base = encodeEvent(make(0)).byteLength;
  // Each extra message adds `,""` (3 bytes) around its text; adjust until the size is exact.
  for (let filler = bytes - base; filler > bytes - base - 200; filler--) {
    const event = make(filler);
    if (encodeEvent(event).byteLength === bytes) return event;
  }
  throw new Error(`could not make an event of ${bytes} bytes`);
}

describe('the event stream', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  let publisher: EventPublisher;

  beforeAll(async () => {
    nc = await connectNats({ url: natsUrl(), name: 'stream-int-test' });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
    await ensureStream(jsm, names);
    publisher = new EventPublisher(js, names);
  });
  afterAll(async () => {
    await jsm?.streams.delete(names.stream).catch(() => undefined);
    await nc?.close();
  });

  it('is created with the settings of docs/pipeline.md', async () => {
    const { config } = await jsm.streams.info(names.stream);
    expect(config).toMatchObject({
      name: names.stream,
      subjects: [`${names.subjectPrefix}.>`],
      retention: 'limits',
      storage: 'file',
      max_msg_size: 65_536,
      discard: 'old',
      allow_direct: true,
      max_age: nanos(365 * 24 * 3600 * 1000),
      duplicate_window: nanos(3600 * 1000),
    });
  });

  it('is left alone when right, and updated when its settings differ', async () => {
    const before = await jsm.streams.info(names.stream);
    const again = await ensureStream(jsm, names);
    expect(again.created).toBe(before.created);
    await jsm.streams.update(names.stream, {
      ...before.config,
      max_msg_size: 1_000_000,
      allow_direct: false,
    });
    const changed = await ensureStream(jsm, names, { maxAgeMs: 30 * 24 * 3600 * 1000 });
    expect(changed.config).toMatchObject({
      max_msg_size: 65_536,
      allow_direct: true,
      max_age: nanos(30 * 24 * 3600 * 1000),
    });
    const restored = await ensureStream(jsm, names);
    expect(restored.config.max_age).toBe(nanos(365 * 24 * 3600 * 1000));
  });

  it('publishes an event on its subject, and reports a republish of the same fact as a duplicate', async () => {
    const event = sampleRequestedEvent();
    const first = await publisher.publish(event);
    expect(first.duplicate).toBe(false);
    const again = await publisher.publish(event);
    expect(again).toEqual({ seq: first.seq, duplicate: true });
    const stored = await jsm.streams.getMessage(names.stream, { seq: first.seq });
    expect(stored?.subject).toBe(`${names.subjectPrefix}.t.${event.transferid}.transfer.requested`);
    expect(stored?.header.get('Nats-Msg-Id')).toBe(`${event.transferid}.transfer.requested.g1`);
    // a new generation is a new fact
    const retried = await publisher.publish({ ...event, generation: 2 });
    expect(retried.duplicate).toBe(false);
  });

  it('refuses an event over 64 KiB before sending it', async () => {
    const transferId = newTransferId();
    const event = failedEventOfSize(transferId, MAX_EVENT_BYTES + 1);
    const error = await publisher.publish(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventTooLargeError);
    expect(error).toMatchObject({ bytes: MAX_EVENT_BYTES + 1 });
    expect(await readTransferHistory(js, names, transferId)).toEqual([]);
  });

  it('has the server refuse a message over 64 KiB (another publisher), and maps it at the edge', async () => {
    await expect(
      js.publish(
        `${names.subjectPrefix}.t.${newTransferId()}.po_a.done`,
        new Uint8Array(MAX_EVENT_BYTES + 1),
      ),
    ).rejects.toThrow(/maximum/i);
    // An event just under the limit whose headers take it over: the server's refusal is the same error.
    const event = failedEventOfSize(newTransferId(), MAX_EVENT_BYTES - 10);
    await expect(publisher.publish(event)).rejects.toBeInstanceOf(EventTooLargeError);
    // Well under: fine.
    const small = failedEventOfSize(newTransferId(), MAX_EVENT_BYTES - 200);
    expect((await publisher.publish(small)).duplicate).toBe(false);
  });

  it('reads a transfer history in stream order, skipping what is not an event', async () => {
    const transferId = newTransferId();
    const other = newTransferId();
    const context = { transferid: transferId, generation: 1, actor: 'tok_test', source: 'interco/po-a' };
    const requested = sampleRequestedEvent(transferId);
    const doc = { doctype: 'Purchase Order' as const, name: 'PO-1', chunk: 0, serial_count: 3 };
    const events: IntercoEvent[] = [
      requested,
      newEvent('po_a.done', context, { instance: 'erp-a', documents: [doc], attempt: 1, duration_ms: 5 }),
      newEvent('transfer.cancel_requested', { ...context, generation: 2 }, {}),
      newEvent('po_a.cancelled', { ...context, generation: 2 }, { instance: 'erp-a', documents: [doc] }),
    ];
    await publisher.publish(sampleRequestedEvent(other));
    await publisher.publish(events[0] as IntercoEvent);
    await js.publish(
      `${names.subjectPrefix}.t.${transferId}.po_a.done`,
      new TextEncoder().encode('{not json'),
    );
    for (const event of events.slice(1)) await publisher.publish(event);

    const invalid: number[] = [];
    const history = await readTransferHistory(js, names, transferId, {
      onInvalid: (seq) => invalid.push(seq),
    });
    expect(history.map((entry) => entry.event)).toEqual(events);
    const seqs = history.map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(invalid).toHaveLength(1);
    expect((await readTransferHistory(js, names, other)).map((entry) => entry.event.transferid)).toEqual([
      other,
    ]);
  });

  it('reads a long history quickly, and an unknown transfer at once', async () => {
    const transferId = newTransferId();
    const context = { transferid: transferId, generation: 1, actor: 'tok_test', source: 'interco/po-a' };
    const waits = Array.from({ length: 300 }, (_, i) =>
      newEvent('po_a.waiting', context, {
        instance: 'erp-a',
        reason: 'rate_limited',
        next_attempt_at: new Date().toISOString(),
        attempt: i + 1,
      }),
    );
    await Promise.all(waits.map((event) => publisher.publish(event)));
    let started = performance.now();
    const history = await readTransferHistory(js, names, transferId);
    const longMs = performance.now() - started;
    expect(history).toHaveLength(300);
    expect(new Set(history.map((entry) => entry.event.id)).size).toBe(300);
    started = performance.now();
    expect(await readTransferHistory(js, names, newTransferId())).toEqual([]);
    const unknownMs = performance.now() - started;
    console.log(
      `history: 300 events in ${longMs.toFixed(0)} ms; unknown transfer in ${unknownMs.toFixed(0)} ms`,
    );
    expect(longMs).toBeLessThan(2_000);
    expect(unknownMs).toBeLessThan(500);
    expect(await readTransferHistory(js, names, 'not.a>token')).toEqual([]);
  });

  it('leaves no consumer behind', async () => {
    const consumers = [];
    for await (const consumer of jsm.consumers.list(names.stream)) consumers.push(consumer.name);
    expect(consumers).toEqual([]);
  });
});
