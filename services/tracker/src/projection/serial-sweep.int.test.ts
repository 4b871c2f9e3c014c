import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SequencedEvent } from '../read-model/journal.js';
import type { TrackerStore } from '../read-model/tracker-store.js';
import {
  openStreamFixture,
  type StoredTransfer,
  type StreamFixture,
  storedTransfer,
} from '../test-support/stream-fixture.js';
import { ManifestSerials } from './manifest-serials.js';
import { sweepSerialIndex } from './serial-sweep.js';
import { writeEvents } from './store-writer.js';

let fixture: StreamFixture;
let store: TrackerStore;
let transfer: StoredTransfer;

beforeAll(async () => {
  fixture = await openStreamFixture();
  store = fixture.store('sweep');
  await store.ensureIndexes();
  transfer = await storedTransfer(fixture, 'completed');
  // Applied while its manifest could not be read: no serial source, so nothing is indexed.
  const entries: SequencedEvent[] = transfer.events.map((event, i) => ({ seq: i + 1, event }));
  await writeEvents({ store, logger: fixture.logger }, new Map([[transfer.transferId, entries]]));
});
afterAll(async () => {
  await fixture?.close();
});

describe('the serial index sweep', () => {
  it('indexes the serials of a transfer applied while its manifest was unreadable, once', async () => {
    const digestOf = (serial: string) => fixture.digester.digest(serial);
    const first = transfer.serials[0] ?? '';
    expect(await store.transfersOfSerial(digestOf(first))).toEqual([]);
    expect((await store.find(transfer.transferId))?.serials_indexed).toBe(false);

    const options = {
      store,
      serials: new ManifestSerials(fixture.manifests, fixture.digester),
      logger: fixture.logger,
    };
    expect(await sweepSerialIndex(options)).toBe(1);
    for (const serial of transfer.serials) {
      expect(await store.transfersOfSerial(digestOf(serial))).toEqual([transfer.transferId]);
    }
    const doc = await store.find(transfer.transferId);
    expect(doc?.serials_indexed).toBe(true);
    expect(await sweepSerialIndex(options)).toBe(0);
  });

  it('loses to a concurrent write of the document (compare-and-set on its version)', async () => {
    const doc = await store.find(transfer.transferId);
    if (doc === undefined) throw new Error('no document');
    expect(await store.markSerialsIndexed(transfer.transferId, doc.version - 1)).toBe(false);
    expect((await store.find(transfer.transferId))?.version).toBe(doc.version);
  });
});
