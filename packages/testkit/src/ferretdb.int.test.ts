import { existsSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFerretDb } from './ferretdb.js';

// A fault test: this file runs its own FerretDB, takes it away and brings it back.
describe('LocalFerretDb', () => {
  let server: LocalFerretDb;
  beforeAll(async () => {
    server = await LocalFerretDb.start();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('keeps its data and URL across stop() and restart()', async () => {
    const url = server.url;
    const client = await new MongoClient(url).connect();
    await client
      .db('faults')
      .collection('transfers')
      .insertOne({ _id: 'tr_1' as never, status: 'pending' });
    await client.close();

    await server.stop();
    expect(server.running).toBe(false);
    const refused = new MongoClient(url, { serverSelectionTimeoutMS: 500 });
    await expect(refused.db('admin').command({ ping: 1 })).rejects.toThrow();
    await refused.close();

    await server.restart();
    expect(server.url).toBe(url);
    const again = await new MongoClient(url).connect();
    try {
      expect(await again.db('faults').collection('transfers').findOne({})).toEqual({
        _id: 'tr_1',
        status: 'pending',
      });
    } finally {
      await again.close();
    }
  });

  it('deletes its temporary data folder on dispose()', async () => {
    const other = await LocalFerretDb.start();
    expect(other.port).not.toBe(server.port);
    expect(existsSync(other.dataDir)).toBe(true);
    await other.dispose();
    expect(existsSync(other.dataDir)).toBe(false);
  });
});
