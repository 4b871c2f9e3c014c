/**
 * The tracker's API over real NATS and MongoDB (the run's shared servers, in a namespace and
 * database of the test file's own), without the projector: tests seed the read model directly.
 */
import { randomBytes } from 'node:crypto';
import { type Scope, TokenStore } from '@interco/auth';
import {
  type BusNames,
  busNames,
  connectNats,
  ensureStream,
  ManifestStore,
  SerialDigester,
} from '@interco/bus';
import { SecretBox } from '@interco/erpnext';
import { createLogger } from '@interco/service';
import { mongoUrl, natsUrl, testNamespace } from '@interco/testkit/vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { type Collection, MongoClient } from 'mongodb';
import { buildTrackerApp } from '../http/tracker-app.js';
import { openLiveFeed } from '../live/live-feed.js';
import { CountsCache, type CountsCacheOptions } from '../queries/counts-cache.js';
import { TransferReader } from '../queries/transfer-reader.js';
import {
  COLLECTIONS,
  type SerialDocument,
  type TransferDocument,
} from '../read-model/transfer-document.schema.js';

export interface QueryHarness {
  readonly app: FastifyInstance;
  readonly nc: NatsConnection;
  readonly names: BusNames;
  readonly box: SecretBox;
  readonly digester: SerialDigester;
  readonly manifests: ManifestStore;
  readonly transfers: Collection<TransferDocument>;
  readonly serials: Collection<SerialDocument>;
  readonly reader: TransferReader;
  /** A token with exactly these scopes. */
  token(...scopes: Scope[]): Promise<string>;
  /** The clock the stuck rule reads (tests move it). */
  readonly clock: { now: Date };
  close(): Promise<void>;
}

export async function startQueryHarness(
  options: {
    stuckAfterMs?: number;
    heartbeatMs?: number;
    /** Where the API logs (default: silent). */
    logger?: FastifyBaseLogger;
    /** The counts cache's settings (default: the tracker's); `count` wraps the reader's. */
    counts?: Omit<CountsCacheOptions, 'count'> & { count?: CountsCacheOptions['count'] };
  } = {},
): Promise<QueryHarness> {
  const ns = testNamespace();
  const names = busNames(ns.subjectPrefix);
  const nc = await connectNats({ url: natsUrl(), name: 'tracker-query-test' });
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, names);
  const js = jetstream(nc);
  const tokens = await TokenStore.open(nc, { bucket: names.buckets.tokens });
  const box = SecretBox.fromKeyText(randomBytes(32).toString('base64'));
  const manifests = await ManifestStore.open(nc, names, box);
  const digester = SerialDigester.fromSecretBox(box);
  const client = await new MongoClient(mongoUrl()).connect();
  const db = client.db(ns.dbName);
  const transfers = db.collection<TransferDocument>(COLLECTIONS.transfers);
  const serials = db.collection<SerialDocument>(COLLECTIONS.serials);
  const logger = options.logger ?? (createLogger('tracker', { level: 'silent' }) as FastifyBaseLogger);
  const clock = { now: new Date() };
  const reader = new TransferReader({ transfers, serials }, () => ({
    now: clock.now,
    stuckAfterMs: options.stuckAfterMs ?? 15 * 60_000,
  }));
  const counts = new CountsCache({
    ...options.counts,
    count: options.counts?.count ?? ((filter, limit) => reader.counts(filter, limit)),
  });
  const app = await buildTrackerApp({
    logger,
    tokens,
    readiness: () => ({ nats: !nc.isClosed() }),
    reader,
    counts,
    digester,
    manifests,
    openLiveFeed: (feed) =>
      openLiveFeed({ js, jsm, stream: names.stream, subjectPrefix: names.subjectPrefix, ...feed }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  });
  const harness: QueryHarness = {
    app,
    nc,
    names,
    box,
    digester,
    manifests,
    transfers,
    serials,
    reader,
    clock,
    token: async (...scopes) => (await tokens.mint({ name: `test ${scopes.join(' ')}`, scopes })).token,
    close: async () => {
      await app.close();
      await db.dropDatabase().catch(() => undefined);
      await client.close();
      await jsm.streams.delete(names.stream).catch(() => false);
      tokens.close();
      await nc.drain();
    },
  };
  return harness;
}
