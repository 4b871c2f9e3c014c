/**
 * Real NATS (a stream of the test file's own) and MongoDB (databases of its own) for the
 * projector and replay tests, and publishing whole transfer histories with their manifests.
 */
import {
  type BusNames,
  busNames,
  connectNats,
  DataKeyStore,
  EventPublisher,
  ensureStream,
  ManifestStore,
  SerialDigester,
} from '@interco/bus';
import { sampleRequest } from '@interco/bus/test-support';
import type { IntercoEvent } from '@interco/contracts';
import { SecretBox } from '@interco/erpnext';
import { createLogger, type Logger } from '@interco/service';
import { mongoUrl, natsUrl, testNamespace } from '@interco/testkit/vitest';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { MongoClient } from 'mongodb';
import { TrackerStore } from '../read-model/tracker-store.js';
import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import { type HistoryKind, historyOf, TransferHistory } from './histories.js';

export interface StreamFixture {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly names: BusNames;
  readonly box: SecretBox;
  readonly digester: SerialDigester;
  readonly manifests: ManifestStore;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  /** A store on a database of this fixture's own (`name` tells several apart). */
  store(name?: string): TrackerStore;
  close(): Promise<void>;
}

export async function openStreamFixture(): Promise<StreamFixture> {
  const namespace = testNamespace();
  const names = busNames(namespace.subjectPrefix);
  const nc = await connectNats({ url: natsUrl(), name: 'tracker-test' });
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, names);
  const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
  const manifests = await ManifestStore.open(nc, names, box);
  // The serial digest key, as intake creates it at its first start (the tracker only reads it).
  await (await DataKeyStore.open(nc, names, box)).createSerialDigestKey();
  const mongo = await new MongoClient(mongoUrl()).connect();
  const databases = new Set<string>();
  return {
    nc,
    jsm,
    names,
    box,
    digester: SerialDigester.fromSecretBox(box),
    manifests,
    publisher: new EventPublisher(jetstream(nc), names),
    logger: createLogger('tracker-test', { level: process.env.TRACKER_TEST_LOG ?? 'silent' }),
    store(name = 'a') {
      const db = `${namespace.dbName.slice(0, 36)}_${name}`;
      databases.add(db);
      return new TrackerStore(mongo.db(db));
    },
    async close() {
      for (const db of databases)
        await mongo
          .db(db)
          .dropDatabase()
          .catch(() => undefined);
      await mongo.close();
      await jsm.streams.delete(names.stream).catch(() => undefined);
      await nc.close();
    },
  };
}

/** A transfer whose manifest is stored and whose history is built (not yet published). */
export interface StoredTransfer {
  readonly transferId: string;
  readonly serials: readonly string[];
  readonly events: readonly IntercoEvent[];
}

/** Stores the manifest of a new transfer (3 serials of its own) and builds its history of `kind`. */
export async function storedTransfer(fixture: StreamFixture, kind: HistoryKind): Promise<StoredTransfer> {
  const history = new TransferHistory();
  const request = sampleRequest(3, 1, `SN-${history.transferId.slice(-10)}`);
  const manifest = await fixture.manifests.put(history.transferId, request);
  const events = historyOf(kind, history.requested(request, manifest));
  return { transferId: history.transferId, serials: request.items.flatMap((item) => item.serials), events };
}

/** Publishes events in order; answers the sequence of the last. */
export async function publishAll(fixture: StreamFixture, events: readonly IntercoEvent[]): Promise<number> {
  let last = 0;
  for (const event of events) last = (await fixture.publisher.publish(event)).seq;
  return last;
}

/** Every transfer document, by id, without `version` (what differs between writers). */
export async function documentsOf(
  store: TrackerStore,
): Promise<Map<string, Omit<TransferDocument, 'version'>>> {
  const docs = await store.transfers.find({}).toArray();
  return new Map(docs.map(({ version: _version, ...rest }) => [rest._id, rest]));
}

/** Waits until `check` holds (polling), or fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
