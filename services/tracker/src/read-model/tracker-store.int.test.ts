import { mongoUrl, testNamespace } from '@interco/testkit/vitest';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleHistory } from '../test-support/histories.js';
import { TRANSFER_INDEXES, TrackerStore } from './tracker-store.js';
import { documentFromJournal } from './transfer-documents.js';

let mongo: MongoClient;
let store: TrackerStore;

beforeAll(async () => {
  mongo = await new MongoClient(mongoUrl()).connect();
  store = new TrackerStore(mongo.db(testNamespace().dbName));
});
afterAll(async () => {
  await store?.db.dropDatabase().catch(() => undefined);
  await mongo?.close();
});

const newDoc = () => {
  const events = sampleHistory('completed');
  return documentFromJournal(
    events[0]?.transferid ?? '',
    events.map((event, i) => ({ seq: i + 1, event })),
  );
};

describe('TrackerStore', () => {
  it('creates the indexes, again without harm', async () => {
    await store.ensureIndexes();
    await store.ensureIndexes();
    const names = (await store.transfers.listIndexes().toArray()).map((index) => index.name);
    expect(names).toEqual(expect.arrayContaining(TRANSFER_INDEXES.map((index) => index.name)));
  });

  it('inserts new documents, answering those another writer wrote first', async () => {
    const [a, b, c] = [newDoc(), newDoc(), newDoc()];
    expect(await store.insertNew([a, b])).toEqual(new Set());
    expect(await store.insertNew([b, c])).toEqual(new Set([b._id]));
    expect(await store.find(c._id)).toEqual(c);
    expect([...(await store.findMany([a._id, 'tr_missing', c._id])).keys()].sort()).toEqual(
      [a._id, c._id].sort(),
    );
  });

  it('replaces with compare-and-set on version', async () => {
    const doc = newDoc();
    await store.insertNew([doc]);
    const next = { ...doc, version: 2, serials_indexed: true };
    expect(await store.replace(next, 1)).toBe(true);
    expect(await store.replace({ ...next, version: 3 }, 1)).toBe(false);
    expect((await store.find(doc._id))?.version).toBe(2);
  });

  it('indexes serials idempotently, adding a later transfer to a serial', async () => {
    const digests = ['a'.repeat(64), 'b'.repeat(64)];
    await store.indexSerials('tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B', digests);
    await store.indexSerials('tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B', digests);
    await store.indexSerials('tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1C', ['b'.repeat(64)]);
    expect(await store.transfersOfSerial('a'.repeat(64))).toEqual(['tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B']);
    expect(await store.transfersOfSerial('b'.repeat(64))).toEqual([
      'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B',
      'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1C',
    ]);
  });

  it('drops both collections, also when they are gone', async () => {
    await store.drop();
    await store.drop();
    expect(await store.transfers.countDocuments()).toBe(0);
    expect(await store.serials.countDocuments()).toBe(0);
  });
});
