/**
 * A deployment of the test file's own for tests that start whole trackers: a namespace (stream,
 * buckets, database), a NATS connection, a bootstrap token, and `start` for a tracker on it with
 * the test's options. `close` stops the tracker and removes the stream and the database.
 */
import { mintBootstrapToken } from '@interco/auth';
import { type BusNames, busNames, connectNats, DataKeyStore, ensureStream } from '@interco/bus';
import type { SecretBox } from '@interco/erpnext';
import { mongoUrl, natsUrl, testNamespace } from '@interco/testkit/vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { MongoClient } from 'mongodb';
import { type RunningTracker, type StartTrackerOptions, startTracker } from '../start-tracker.js';

/** What a test may set; the deployment gives the rest (URLs, namespace, database, token). */
export type TrackerStartOptions = Omit<
  StartTrackerOptions,
  'natsUrl' | 'namespace' | 'mongoUrl' | 'mongoDb' | 'bootstrapHash'
>;

export interface TrackerDeployment {
  readonly nc: NatsConnection;
  readonly names: BusNames;
  readonly namespace: string;
  readonly dbName: string;
  /** The bootstrap admin token the trackers accept. */
  readonly token: string;
  /** The running tracker, once started. */
  readonly tracker: RunningTracker | undefined;
  /** Creates the serial digest key as intake does at its first start (the tracker only reads it). */
  createSerialDigestKey(box: SecretBox): Promise<void>;
  /** Closes the running tracker, if any, and starts one (the read model stays). */
  start(options: TrackerStartOptions): Promise<RunningTracker>;
  /** Closes the running tracker, if any. */
  stop(): Promise<void>;
  /** GET on the running tracker with the bootstrap token. */
  get<T>(path: string): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function openTrackerDeployment(name: string): Promise<TrackerDeployment> {
  const ns = testNamespace();
  const names = busNames(ns.subjectPrefix);
  const bootstrap = mintBootstrapToken();
  const nc = await connectNats({ url: natsUrl(), name });
  await ensureStream(await jetstreamManager(nc), names);
  let tracker: RunningTracker | undefined;
  const stop = async () => {
    const running = tracker;
    tracker = undefined;
    await running?.close();
  };
  return {
    nc,
    names,
    namespace: ns.subjectPrefix,
    dbName: ns.dbName,
    token: bootstrap.token,
    get tracker() {
      return tracker;
    },
    async createSerialDigestKey(box) {
      await (await DataKeyStore.open(nc, names, box)).createSerialDigestKey();
    },
    async start(options) {
      await stop();
      tracker = await startTracker({
        natsUrl: natsUrl(),
        namespace: ns.subjectPrefix,
        mongoUrl: mongoUrl(),
        mongoDb: ns.dbName,
        bootstrapHash: bootstrap.hash,
        ...options,
      });
      return tracker;
    },
    stop,
    async get<T>(path: string) {
      if (tracker === undefined) throw new Error('no tracker is running');
      const response = await fetch(`${tracker.url}${path}`, {
        headers: { authorization: `Bearer ${bootstrap.token}` },
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    async close() {
      await stop();
      const client = await new MongoClient(mongoUrl()).connect();
      await client.db(ns.dbName).dropDatabase();
      await client.close();
      await (await jetstreamManager(nc)).streams.delete(names.stream).catch(() => false);
      await nc.drain();
    },
  };
}
