import { mongoUrl, testNamespace } from '@interco/testkit/vitest';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleHistory } from '../test-support/histories.js';
import { TRANSFER_INDEXES, TrackerStore } from './tracker-store.js';
import { COLLECTIONS } from './transfer-document.schema.js';
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

/** The indexes of the tracker's first version (what a deployment upgraded from carries). */
const FIRST_VERSION_INDEXES = [
  { name: 'status_created', key: { status: 1, created_at: -1 } },
  { name: 'current_step', key: { current_step: 1 } },
  { name: 'created_id', key: { created_at: -1, _id: -1 } },
  { name: 'instance_a', key: { instance_a: 1 } },
  { name: 'instance_b', key: { instance_b: 1 } },
  { name: 'company_a', key: { company_a: 1 } },
  { name: 'company_b', key: { company_b: 1 } },
  { name: 'company_b_customer_in_a', key: { company_b_customer_in_a: 1 } },
  { name: 'company_a_supplier_in_b', key: { company_a_supplier_in_b: 1 } },
  { name: 'reference', key: { reference: 1 } },
  { name: 'updated_at', key: { updated_at: 1 } },
  { name: 'serials_indexed', key: { serials_indexed: 1 } },
] as const;

/** A collection's indexes but `_id_`, by name: name and key (in the key's order). */
async function indexesOf(of: TrackerStore): Promise<{ name: string; key: [string, unknown][] }[]> {
  const indexes = await of.transfers.listIndexes().toArray();
  return indexes
    .filter((index) => index.name !== '_id_')
    .map((index) => ({ name: String(index.name), key: Object.entries(index.key as object) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

const expected = () =>
  TRANSFER_INDEXES.map((index) => ({ name: index.name, key: Object.entries(index.key) })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );

describe('TrackerStore', () => {
  it('creates the indexes, again without harm', async () => {
    await store.ensureIndexes();
    await store.ensureIndexes();
    expect(await indexesOf(store)).toEqual(expected());
  });

  it('replaces the first version’s indexes with the new set, and changes nothing the second time', async () => {
    const old = new TrackerStore(mongo.db(`${testNamespace().dbName}_old`));
    try {
      await old.transfers.createIndexes(FIRST_VERSION_INDEXES.map((index) => ({ ...index })));
      expect((await indexesOf(old)).map((index) => index.name)).toEqual(
        FIRST_VERSION_INDEXES.map((index) => index.name).sort(),
      );
      await old.ensureIndexes();
      expect(await indexesOf(old)).toEqual(expected());
      await old.ensureIndexes();
      expect(await indexesOf(old)).toEqual(expected());
      // still a working collection (the connection was not dropped)
      await old.insertNew([newDoc()]);
      expect(await old.db.collection(COLLECTIONS.transfers).countDocuments()).toBe(1);
    } finally {
      await old.db.dropDatabase().catch(() => undefined);
    }
  });

  it('builds the new indexes before it drops any old one (a rolling upgrade is never unindexed)', async () => {
    const old = new TrackerStore(mongo.db(`${testNamespace().dbName}_rolling`));
    try {
      await old.transfers.createIndexes(FIRST_VERSION_INDEXES.map((index) => ({ ...index })));
      // what the collection holds each time ensureIndexes drops an index (read on the real server)
      const atEachDrop: string[][] = [];
      const real = old.transfers;
      const watched = new Proxy(real, {
        get(target, property, receiver) {
          if (property === 'dropIndex') {
            return async (...args: Parameters<typeof real.dropIndex>) => {
              atEachDrop.push((await indexesOf(old)).map((index) => index.name));
              return target.dropIndex(...args);
            };
          }
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      Object.defineProperty(old, 'transfers', { value: watched });
      await old.ensureIndexes();
      expect(atEachDrop).toHaveLength(FIRST_VERSION_INDEXES.length - 2); // all but created_id, serials_indexed
      for (const names of atEachDrop) {
        for (const index of TRANSFER_INDEXES) expect(names).toContain(index.name);
      }
      Object.defineProperty(old, 'transfers', { value: real });
      expect(await indexesOf(old)).toEqual(expected());
    } finally {
      await old.db.dropDatabase().catch(() => undefined);
    }
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
