/**
 * The tracker never creates the serial digest key (intake does, at its first start): without it,
 * it waits (not listening, so not ready), then fails its start saying what to do; it starts as
 * soon as intake has created it.
 */
import { mintBootstrapToken } from '@interco/auth';
import { busNames, connectNats, DataKeyStore, ensureStream, SERIAL_DIGEST_KEY_ENTRY } from '@interco/bus';
import { SecretBox } from '@interco/erpnext';
import { mongoUrl, natsUrl, testNamespace } from '@interco/testkit/vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningTracker, startTracker } from './start-tracker.js';

const ns = testNamespace();
const names = busNames(ns.subjectPrefix);
const bootstrap = mintBootstrapToken();
const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
let nc: NatsConnection;
let tracker: RunningTracker | undefined;

const start = (wait: { timeoutMs: number; intervalMs: number }) =>
  startTracker({
    natsUrl: natsUrl(),
    namespace: ns.subjectPrefix,
    mongoUrl: mongoUrl(),
    mongoDb: ns.dbName,
    box,
    bootstrapHash: bootstrap.hash,
    projector: false,
    serialDigestKeyWait: wait,
  });

beforeAll(async () => {
  nc = await connectNats({ url: natsUrl(), name: 'tracker-serial-key-test' });
  await ensureStream(await jetstreamManager(nc), names);
});

afterAll(async () => {
  await tracker?.close();
  const client = await new MongoClient(mongoUrl()).connect();
  await client.db(ns.dbName).dropDatabase();
  await client.close();
  await (await jetstreamManager(nc)).streams.delete(names.stream).catch(() => false);
  await (await DataKeyStore.open(nc, names, box)).kv.destroy().catch(() => undefined);
  await nc?.drain();
});

describe('the tracker and the serial digest key', () => {
  it('does not create it: it waits for intake, then fails its start saying so', async () => {
    const error = await start({ timeoutMs: 500, intervalMs: 50 }).then(
      async (running) => {
        await running.close();
        return new Error('started');
      },
      (thrown: unknown) => thrown as Error,
    );
    expect(error).toMatchObject({ name: 'StoreError', kind: 'missing' });
    expect(error.message).toContain('start intake on the same NATS and namespace first');
    expect(await (await DataKeyStore.open(nc, names, box)).kv.get(SERIAL_DIGEST_KEY_ENTRY)).toBeNull();
  });

  it('starts as soon as intake has created it', async () => {
    const starting = start({ timeoutMs: 20_000, intervalMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await (await DataKeyStore.open(nc, names, box)).createSerialDigestKey();
    tracker = await starting;
    expect(tracker.url).toMatch(/^http:/);
  });
});
