import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions, MIN_NATS_SERVER_VERSION, parseVersion } from '../binaries.js';
import { queryMongoServer } from '../versions.js';
import { mongoUrl, natsUrl, testNamespace } from './index.js';

// Uses the run's shared servers, in names of its own: other test files use the same servers.
const ns = testNamespace();

it('names its namespace after this file, even when asked at import time', () => {
  expect(ns.id).toMatch(/^global_setup_[0-9a-f]{8}$/);
});

describe('shared nats-server', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: natsUrl() });
  });
  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.delete(ns.streamName).catch(() => false);
    await nc?.close();
  });

  it(`is nats-server >= ${MIN_NATS_SERVER_VERSION} with JetStream`, () => {
    const version = parseVersion(nc.info?.version ?? '');
    const min = parseVersion(MIN_NATS_SERVER_VERSION);
    expect(version).toBeDefined();
    expect(min).toBeDefined();
    if (version === undefined || min === undefined) return;
    expect(compareVersions(version, min)).toBeGreaterThanOrEqual(0);
    expect(nc.info?.jetstream).toBe(true);
  });

  it("round-trips messages through a JetStream stream in this file's namespace", async () => {
    const jsm = await jetstreamManager(nc);
    const subject = `${ns.subjectPrefix}.orders`;
    await jsm.streams.add({ name: ns.streamName, subjects: [`${ns.subjectPrefix}.>`], storage: 'file' });
    await jsm.consumers.add(ns.streamName, { durable_name: 'reader', ack_policy: AckPolicy.Explicit });

    const js = jetstream(nc);
    const acks = [];
    for (const body of ['first', 'second']) acks.push(await js.publish(subject, body));
    expect(acks.map((ack) => [ack.stream, ack.seq])).toEqual([
      [ns.streamName, 1],
      [ns.streamName, 2],
    ]);

    const consumer = await js.consumers.get(ns.streamName, 'reader');
    const received: string[] = [];
    const batch = await consumer.fetch({ max_messages: 2, expires: 5_000 });
    for await (const msg of batch) {
      expect(msg.subject).toBe(subject);
      received.push(msg.string());
      await msg.ackAck();
    }
    expect(received).toEqual(['first', 'second']);
    const info = await jsm.consumers.info(ns.streamName, 'reader');
    expect(info.num_pending).toBe(0);
    expect(info.num_ack_pending).toBe(0);
  });
});

describe('shared MongoDB-wire server', () => {
  let client: MongoClient;
  beforeAll(async () => {
    client = await new MongoClient(mongoUrl()).connect();
  });
  afterAll(async () => {
    await client?.db(ns.dbName).dropDatabase();
    await client?.close();
  });

  it('answers buildInfo with a version', async () => {
    const info = await queryMongoServer(mongoUrl());
    expect(['FerretDB', 'MongoDB']).toContain(info.name);
    expect(info.version).not.toBe('');
    if (info.name === 'FerretDB') expect(parseVersion(info.emulates ?? '')).toBeDefined();
  });

  it("inserts, finds, updates and indexes in this file's database", async () => {
    const orders = client.db(ns.dbName).collection<{ _id: string; serial: string; qty: number }>('orders');
    await orders.insertMany([
      { _id: 'a', serial: 'SN-1', qty: 1 },
      { _id: 'b', serial: 'SN-2', qty: 5 },
    ]);
    expect(await orders.find({ qty: { $gt: 2 } }).toArray()).toEqual([{ _id: 'b', serial: 'SN-2', qty: 5 }]);

    const update = await orders.updateOne({ _id: 'a' }, { $inc: { qty: 2 } });
    expect(update.modifiedCount).toBe(1);
    expect(await orders.findOne({ _id: 'a' })).toEqual({ _id: 'a', serial: 'SN-1', qty: 3 });

    expect(await orders.createIndex({ serial: 1 }, { unique: true, name: 'serial_unique' })).toBe(
      'serial_unique',
    );
    const names = (await orders.listIndexes().toArray()).map((index) => index.name);
    expect(names).toContain('serial_unique');
    const duplicate = await orders
      .insertOne({ _id: 'c', serial: 'SN-1', qty: 1 })
      .catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(MongoServerError);
    expect((duplicate as MongoServerError).code).toBe(11000);
    expect(await orders.countDocuments()).toBe(2);
  });
});
