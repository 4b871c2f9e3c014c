/**
 * TransferReader.counts on the real FerretDB: both of its queries (the `$group` aggregate and the
 * stuck `countDocuments`) carry the caller's time limit as `maxTimeMS`, and the server holds them
 * to it (MaxTimeMSExpired, code 50, which CountsCache takes for a time-out). A serial's count
 * (its transfers read by `_id`) stops between the reads once its time limit has passed.
 */
import { mongoUrl, testNamespace } from '@interco/testkit/vitest';
import { type Collection, type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SerialDocument, TransferDocument } from '../read-model/transfer-document.schema.js';
import { CountTimeLimitExceeded } from './counts-cache.js';
import { TransferReader } from './transfer-reader.js';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const clock = () => ({ now: NOW, stuckAfterMs: 15 * 60_000 });
/** Enough transfers that no server counts them within 1 ms. */
const MANY = 20_000;

let mongo: MongoClient;
let db: Db;
let transfers: Collection<TransferDocument>;
let serials: Collection<SerialDocument>;

/** The fields the counts read: status and updated_at (an hour ago: a running one is stuck). */
function transferAt(i: number) {
  const status = ['completed', 'waiting', 'failed', 'pending'][i % 4];
  const at = new Date(NOW.getTime() - 3_600_000).toISOString();
  return { _id: `tr_${String(i).padStart(8, '0')}`, status, created_at: at, updated_at: at };
}

beforeAll(async () => {
  mongo = await new MongoClient(mongoUrl()).connect();
  db = mongo.db(testNamespace().dbName);
  transfers = db.collection<TransferDocument>('transfers');
  serials = db.collection<SerialDocument>('serials');
  for (let i = 0; i < MANY; i += 5_000) {
    const batch = Array.from({ length: 5_000 }, (_, j) => transferAt(i + j));
    await db.collection('transfers').insertMany(batch as never[]);
  }
}, 120_000);

afterAll(async () => {
  await db?.dropDatabase().catch(() => undefined);
  await mongo?.close();
});

/** The transfers collection, recording the options of every aggregate and countDocuments. */
function recordingOptions(collection: Collection<TransferDocument>) {
  const seen: { method: string; options: unknown }[] = [];
  const wrapped = new Proxy(collection, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'aggregate' || property === 'countDocuments') {
        return (...args: unknown[]) => {
          seen.push({ method: property, options: args[1] });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return { seen, wrapped };
}

describe('TransferReader.counts', () => {
  it('passes the time limit as maxTimeMS to both the aggregate and the stuck countDocuments', async () => {
    const { seen, wrapped } = recordingOptions(transfers);
    const reader = new TransferReader({ transfers: wrapped, serials }, clock);
    const counts = await reader.counts({ query: {} }, { maxTimeMs: 60_000 });
    expect(counts.total).toBe(MANY);
    expect(counts.by_status).toMatchObject({ completed: MANY / 4, waiting: MANY / 4, pending: MANY / 4 });
    expect(counts.stuck).toBe(MANY / 2); // waiting and pending, an hour without events
    expect(seen.map((call) => call.method).sort()).toEqual(['aggregate', 'countDocuments']);
    for (const call of seen) expect(call.options).toMatchObject({ maxTimeMS: 60_000 });
  });

  it('the server holds the counts to it: 1 ms over 20,000 transfers is MaxTimeMSExpired (code 50)', async () => {
    const reader = new TransferReader({ transfers, serials }, clock);
    const error = await reader.counts({ query: {} }, { maxTimeMs: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 50 });
  });

  it('a serial’s count stops between its _id reads once the time limit has passed', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => transferAt(i * 7)._id);
    const digest = 'c'.repeat(64);
    await serials.insertOne({ _id: digest, transfers: ids } as SerialDocument);
    let reads = 0;
    /** Each `_id` read takes 20 ms more (a slow store). */
    const slow = new Proxy(transfers, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (property === 'findOne') {
          return async (...args: unknown[]) => {
            reads++;
            await new Promise((resolve) => setTimeout(resolve, 20));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    const reader = new TransferReader({ transfers: slow, serials }, clock);
    const error = await reader
      .counts({ query: {}, serialDigest: digest }, { maxTimeMs: 50 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CountTimeLimitExceeded);
    const stoppedAt = reads;
    expect(stoppedAt).toBeLessThan(ids.length);
    // nothing more is read afterwards
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reads).toBe(stoppedAt);
    // with time enough, every one of them is read and counted
    reads = 0;
    const counts = await reader.counts({ query: {}, serialDigest: digest }, { maxTimeMs: 60_000 });
    expect(reads).toBe(ids.length);
    expect(counts.total).toBe(ids.length);
  });
});
