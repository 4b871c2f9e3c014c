import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackerStore } from '../read-model/tracker-store.js';
import {
  eventually,
  openStreamFixture,
  publishAll,
  type StreamFixture,
  storedTransfer,
} from '../test-support/stream-fixture.js';
import { type Projector, startProjector } from './projector.js';
import { TRACKER_CONSUMER } from './tracker-consumer.js';

const ACK_WAIT_MS = 1_000;
const WRITE_DELAY_MS = 3_000;

let fixture: StreamFixture;
let projector: Projector | undefined;
/** Writes under way in the slow store. */
let writing = 0;

beforeAll(async () => {
  fixture = await openStreamFixture();
});
afterAll(async () => {
  await projector?.drain();
  await fixture?.close();
});

/** The store, each write delayed well past the ack wait. */
function slowStore(store: TrackerStore): TrackerStore {
  const delay = () => new Promise((resolve) => setTimeout(resolve, WRITE_DELAY_MS));
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'insertNew' || key === 'replace') {
        const write = Reflect.get(target, key, target) as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          writing++;
          try {
            await delay();
            return await write.apply(target, args);
          } finally {
            writing--;
          }
        };
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

describe('a slow write', () => {
  it('keeps its batch in hand: no message is redelivered while it is written', async () => {
    const store = fixture.store('slow');
    await store.ensureIndexes();
    const transfer = await storedTransfer(fixture, 'completed');
    // One event: the projector's only batch.
    const lastSeq = await publishAll(fixture, transfer.events.slice(0, 1));
    projector = startProjector({
      nc: fixture.nc,
      names: fixture.names,
      store: slowStore(store),
      box: fixture.box,
      digester: fixture.digester,
      logger: fixture.logger,
      batchSize: 100,
      ackWaitMs: ACK_WAIT_MS,
    });
    await projector.ready;
    await eventually(() => writing > 0);
    // Another replica pulling meanwhile: past the ack wait, it would get the batch again.
    const other = await jetstream(fixture.nc).consumers.get(fixture.names.stream, TRACKER_CONSUMER);
    const pulled = await other.fetch({ max_messages: 1, expires: WRITE_DELAY_MS - 500 });
    const redelivered: number[] = [];
    for await (const message of pulled) redelivered.push(message.seq);
    expect(redelivered).toEqual([]);
    await eventually(() => (projector?.stats().last_seq ?? 0) >= lastSeq, 60_000);
    expect(projector.stats().applied_events).toBe(1);
    const info = await fixture.jsm.consumers.info(fixture.names.stream, TRACKER_CONSUMER);
    expect(info.config.ack_wait).toBe(ACK_WAIT_MS * 1_000_000);
    expect(info.num_redelivered).toBe(0);
    expect(info.num_ack_pending).toBe(0);
    expect((await store.find(transfer.transferId))?.status).toBe('pending');
  }, 90_000);
});
