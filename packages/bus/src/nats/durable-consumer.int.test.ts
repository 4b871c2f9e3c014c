import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { ensureStream } from '../stream/ensure-stream.js';
import { connectNats } from './connect.js';
import { durableConsumerConfig, ensureDurableConsumer } from './durable-consumer.js';

const names = busNames(testNamespace().subjectPrefix);
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connectNats({ url: natsUrl(), name: 'durable-consumer-int-test' });
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, names);
});
afterAll(async () => {
  await jsm?.streams.delete(names.stream).catch(() => undefined);
  await nc?.close();
});

const filters = (...types: string[]) => types.map((type) => `${names.subjectPrefix}.t.*.${type}`);

describe('ensureDurableConsumer', () => {
  it('creates the consumer: explicit ack, unlimited deliveries, every event from the start', async () => {
    const info = await ensureDurableConsumer(jsm, names, {
      name: 'dc_create',
      description: 'a test consumer',
      filterSubjects: filters('po_a.done', 'pr_a.done'),
      ackWaitMs: 30_000,
      maxAckPending: 64,
    });
    expect(info.config).toMatchObject({
      durable_name: 'dc_create',
      description: 'a test consumer',
      ack_policy: 'explicit',
      ack_wait: nanos(30_000),
      max_deliver: -1,
      max_ack_pending: 64,
      deliver_policy: 'all',
    });
    expect([...(info.config.filter_subjects ?? [])].sort()).toEqual(filters('po_a.done', 'pr_a.done'));
  });

  it('leaves a consumer with these settings as it is, and updates one whose settings differ', async () => {
    const options = { name: 'dc_update', filterSubjects: filters('po_a.done'), ackWaitMs: 10_000 };
    const first = await ensureDurableConsumer(jsm, names, options);
    const same = await ensureDurableConsumer(jsm, names, {
      ...options,
      filterSubjects: [...options.filterSubjects],
    });
    expect(same.created).toEqual(first.created);
    expect(same.config).toEqual(first.config);

    const changed = await ensureDurableConsumer(jsm, names, {
      ...options,
      ackWaitMs: 20_000,
      maxAckPending: 8,
      maxDeliver: 5,
      filterSubjects: filters('po_a.done', 'dn_a.done'),
    });
    expect(changed.config).toMatchObject({ ack_wait: nanos(20_000), max_ack_pending: 8, max_deliver: 5 });
    expect([...(changed.config.filter_subjects ?? [])].sort()).toEqual(filters('dn_a.done', 'po_a.done'));
    const read = await jsm.consumers.info(names.stream, 'dc_update');
    expect(read.config.ack_wait).toBe(nanos(20_000));
  });

  it('lets several replicas ensure it at once', async () => {
    const options = { name: 'dc_race', filterSubjects: filters('pr_b.done'), ackWaitMs: 15_000 };
    const infos = await Promise.all(
      Array.from({ length: 5 }, () => ensureDurableConsumer(jsm, names, options)),
    );
    for (const info of infos)
      expect(info.config).toMatchObject({ durable_name: 'dc_race', ack_wait: nanos(15_000) });
    const list = await jsm.consumers.list(names.stream).next();
    expect(list.filter((consumer) => consumer.name === 'dc_race')).toHaveLength(1);
  });

  it('refuses a consumer with no filter subject', () => {
    expect(() => durableConsumerConfig({ name: 'x', filterSubjects: [], ackWaitMs: 1000 })).toThrow(
      'at least one filter subject',
    );
  });
});
