import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjector } from '../projection/projector.js';
import { TRACKER_CONSUMER } from '../projection/tracker-consumer.js';
import type { TrackerStore } from '../read-model/tracker-store.js';
import {
  documentsOf,
  eventually,
  openStreamFixture,
  publishAll,
  type StreamFixture,
  storedTransfer,
} from '../test-support/stream-fixture.js';
import { RebuildRefusedError, rebuild } from './rebuild.js';

let fixture: StreamFixture;
let lastSeq = 0;

beforeAll(async () => {
  fixture = await openStreamFixture();
  for (const kind of ['completed', 'failed', 'cancelled'] as const) {
    lastSeq = await publishAll(fixture, (await storedTransfer(fixture, kind)).events);
  }
});
afterAll(async () => {
  await fixture?.close();
});

const options = (store: TrackerStore) => ({
  nc: fixture.nc,
  names: fixture.names,
  store,
  box: fixture.box,
  logger: fixture.logger,
  batchSize: 16,
});
const consumerInfo = () => fixture.jsm.consumers.info(fixture.names.stream, TRACKER_CONSUMER);

/** The store, failing every insert (a rebuild failing after the drop). */
function failingInserts(store: TrackerStore): TrackerStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'insertNew') return () => Promise.reject(new Error('MongoDB went away'));
      return Reflect.get(target, key, receiver);
    },
  });
}

describe('rebuild', () => {
  it('a rebuild failing after the drop leaves the consumer at the start: a tracker repairs the model', async () => {
    const reference = fixture.store('reference');
    await rebuild(options(reference));
    expect((await consumerInfo()).config.opt_start_seq).toBe(lastSeq + 1);

    const broken = fixture.store('broken');
    await expect(rebuild(options(failingInserts(broken)))).rejects.toThrow('MongoDB went away');
    const info = await consumerInfo();
    expect(info.config).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 1 });
    expect(info.num_pending).toBe(lastSeq);
    expect(await broken.transfers.countDocuments()).toBe(0);

    const projector = startProjector({
      ...options(broken),
      digester: fixture.digester,
      fetchExpiresMs: 1_000,
    });
    await projector.ready;
    await eventually(() => projector.stats().last_seq >= lastSeq);
    await projector.drain();
    const repaired = await documentsOf(broken);
    const expected = await documentsOf(reference);
    expect(repaired.size).toBe(3);
    for (const [id, doc] of expected) expect(repaired.get(id)).toEqual(doc);
  }, 60_000);

  it('refuses a stream whose oldest events expired, unless forced', async () => {
    const store = fixture.store('expired');
    await rebuild(options(store));
    // The first event gone (as max_age would): the stream starts at 2.
    await fixture.jsm.streams.purge(fixture.names.stream, { seq: 2 });
    const before = await consumerInfo();
    const refused = rebuild(options(store));
    await expect(refused).rejects.toBeInstanceOf(RebuildRefusedError);
    await expect(refused).rejects.toThrow(/starts at sequence 2.*--force/);
    expect(await store.transfers.countDocuments()).toBe(3);
    expect((await consumerInfo()).config).toEqual(before.config);

    const forced = await rebuild({ ...options(store), force: true });
    expect(forced).toMatchObject({ events: lastSeq - 1, lastSeq });
    expect((await consumerInfo()).config.opt_start_seq).toBe(lastSeq + 1);
  }, 60_000);
});
