import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TokenStore } from '@interco/auth';
import {
  type BusNames,
  busNames,
  connectNats,
  ensureStream,
  loadSerialDigester,
  ManifestStore,
  type SerialDigestKeyWait,
  type StreamOptions,
  trackConnection,
} from '@interco/bus';
import { CONSOLE_PUBLIC_URL, CONSOLE_SCRIPTS_URL } from '@interco/console';
import type { SecretBox } from '@interco/erpnext';
import type { ServiceMetrics } from '@interco/metrics';
import { createLogger, createServiceMetrics, type Logger } from '@interco/service';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { MongoClient } from 'mongodb';
import type { ConsoleDirs } from './http/console-files.js';
import { buildTrackerApp } from './http/tracker-app.js';
import { openLiveFeed } from './live/live-feed.js';
import { reportTransferCounts } from './metrics/transfer-counts.js';
import { type Projector, type ProjectorOptions, startProjector } from './projection/projector.js';
import { TRACKER_CONSUMER } from './projection/tracker-consumer.js';
import { CountsCache, UNFILTERED } from './queries/counts-cache.js';
import { DEFAULT_STUCK_AFTER_MS } from './queries/stuck.js';
import { startStuckReporter } from './queries/stuck-reporter.js';
import { TransferReader } from './queries/transfer-reader.js';
import { TrackerStore } from './read-model/tracker-store.js';

export interface StartTrackerOptions {
  readonly natsUrl: string;
  /** INTERCO_NAMESPACE: the prefix of every subject, stream and bucket. */
  readonly namespace: string;
  readonly mongoUrl: string;
  readonly mongoDb: string;
  /** The key ring (INTERCO_SECRET_KEY[_PREVIOUS], as intake's): opens manifests and the serial digest key. */
  readonly box: SecretBox;
  readonly bootstrapHash?: string | undefined;
  /** Default 127.0.0.1 and 0 (any free port). */
  readonly host?: string;
  readonly port?: number;
  /** TRACKER_STUCK_AFTER_MS (default 15 min). */
  readonly stuckAfterMs?: number;
  /** Whether to run the projector (default true; false serves the read model as it is). */
  readonly projector?: boolean;
  /** TRACKER_BATCH_SIZE (default 256). */
  readonly batchSize?: number;
  readonly startSequence?: number | undefined;
  readonly startTime?: Date | undefined;
  /** Passed to the projector (tests shorten its fetch wait). */
  readonly projectorTuning?: Pick<ProjectorOptions, 'fetchExpiresMs' | 'retryDelayMs' | 'onApplied'>;
  readonly stream?: StreamOptions;
  /** How often the stuck count is logged (default 60 s). */
  readonly stuckLogIntervalMs?: number;
  /**
   * How long to wait for the serial digest key while intake has not created it (default
   * DEFAULT_KEY_WAIT_MS of @interco/bus; tests shorten it).
   */
  readonly serialDigestKeyWait?: Pick<SerialDigestKeyWait, 'timeoutMs' | 'intervalMs'>;
  /** Heartbeat of /v1/live (default 15 s). */
  readonly heartbeatMs?: number;
  /** TRACKER_MAX_LIVE_STREAMS: most /v1/live streams open at once (default 100). */
  readonly maxLiveStreams?: number;
  /** TRACKER_LIVE_DRAIN_TIMEOUT_MS: how long a /v1/live client may stay blocked (default 30 s). */
  readonly liveDrainTimeoutMs?: number;
  /** Default: pino at `silent`. */
  readonly logger?: Logger;
  /**
   * Served at GET /metrics: the transfers by status, the projector consumer's counts, the
   * process. Default: a ServiceMetrics of its own (`service: tracker`).
   */
  readonly metrics?: ServiceMetrics;
  /**
   * TRACKER_CONSOLE_INTAKE_URL: the intake the console at /console/ writes to (default "": the
   * console's own origin).
   */
  readonly consoleIntakeUrl?: string;
  /** Where the console's files are (default: @interco/console's public/ and dist/; tests point elsewhere). */
  readonly consoleDirs?: ConsoleDirs;
  /**
   * TRACKER_COUNTS_MAX_AGE_MS: how long counts stay fresh in the counts cache (`/v1/transfers/counts`
   * and `interco_transfers`; default 5 s).
   */
  readonly countsMaxAgeMs?: number;
  /** TRACKER_COUNTS_TIMEOUT_MS: how long a count may take before it is given up (default 10 s). */
  readonly countsTimeoutMs?: number;
}

export interface RunningTracker {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  readonly nc: NatsConnection;
  readonly names: BusNames;
  readonly store: TrackerStore;
  /** Undefined when started with `projector: false`. */
  readonly projector: Projector | undefined;
  readonly metrics: ServiceMetrics;
  /** Graceful: /readyz says not ready, the projector drains, HTTP closes, then NATS and MongoDB. */
  close(): Promise<void>;
}

/**
 * Everything the tracker runs, in-process (main.ts uses it, so do the tests): NATS, MongoDB
 * (indexes created), the projector, the query API listening, the stuck log.
 */
export async function startTracker(options: StartTrackerOptions): Promise<RunningTracker> {
  const logger = options.logger ?? createLogger('tracker', { level: 'silent' });
  const metrics = options.metrics ?? createServiceMetrics('tracker', logger);
  const names = busNames(options.namespace);
  const stuckAfterMs = options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS;
  const nc = await connectNats({ url: options.natsUrl, name: 'interco-tracker' });
  const connection = trackConnection(nc);
  const cleanup: (() => Promise<unknown> | unknown)[] = [
    () => nc.drain().catch(() => nc.close()),
    () => connection.stop(),
  ];
  const closeAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, names, options.stream);
    const mongo = await new MongoClient(options.mongoUrl).connect();
    cleanup.push(() => mongo.close());
    const store = new TrackerStore(mongo.db(options.mongoDb));
    await store.ensureIndexes();
    let mongoAnswers = true;
    const pingMongo = async () => {
      mongoAnswers = await mongo
        .db(options.mongoDb)
        .command({ ping: 1 })
        .then(() => true)
        .catch(() => false);
    };
    const ping = setInterval(() => void pingMongo(), 5_000);
    ping.unref();
    cleanup.push(() => clearInterval(ping));

    const tokens = await TokenStore.open(nc, {
      bucket: names.buckets.tokens,
      bootstrapHash: options.bootstrapHash,
      logger,
    });
    cleanup.push(() => tokens.close());
    const manifests = await ManifestStore.open(nc, names, options.box);
    // The stored serial digest key (as intake's, whatever INTERCO_SECRET_KEY is). Only intake
    // creates it: until it is there the tracker waits (not listening yet, so not ready), logging
    // why, then fails the start; a ring that cannot open it fails the start at once, saying what
    // to do.
    const digester = await loadSerialDigester(nc, names, options.box, {
      ...options.serialDigestKeyWait,
      onWaiting: (message) => logger.warn(message),
    });

    let projector: Projector | undefined;
    if (options.projector ?? true) {
      projector = startProjector({
        nc,
        names,
        store,
        box: options.box,
        digester,
        logger,
        batchSize: options.batchSize ?? 256,
        startSequence: options.startSequence,
        startTime: options.startTime,
        metrics,
        ...options.projectorTuning,
      });
      const running = projector;
      cleanup.push(() => running.drain());
      await projector.ready;
    }

    const reader = new TransferReader(store, () => ({ now: new Date(), stuckAfterMs }));
    const stopStuckLog = startStuckReporter({
      stuckCount: () => reader.stuckCount(),
      logger,
      ...(options.stuckLogIntervalMs === undefined ? {} : { intervalMs: options.stuckLogIntervalMs }),
    });
    cleanup.push(stopStuckLog);
    const counts = new CountsCache({
      count: (filter, limit) => reader.counts(filter, limit),
      ...(options.countsMaxAgeMs === undefined ? {} : { maxAgeMs: options.countsMaxAgeMs }),
      ...(options.countsTimeoutMs === undefined ? {} : { timeoutMs: options.countsTimeoutMs }),
    });
    const stopCounting = reportTransferCounts(metrics, () => counts.counts(UNFILTERED));
    cleanup.push(stopCounting);

    let draining = false;
    const app = await buildTrackerApp({
      logger: logger as FastifyBaseLogger,
      tokens,
      readiness: () => ({
        nats: connection.connected(),
        mongodb: mongoAnswers,
        not_draining: !draining,
        ...(projector === undefined ? {} : { projector: projector.stats().running }),
      }),
      metrics,
      console: {
        ...(options.consoleDirs ?? {
          publicDir: fileURLToPath(CONSOLE_PUBLIC_URL),
          scriptsDir: fileURLToPath(CONSOLE_SCRIPTS_URL),
        }),
        intakeUrl: options.consoleIntakeUrl ?? '',
      },
      reader,
      counts,
      digester,
      manifests,
      // A new stream starts where the projectors (this replica's or another's) have acked up to.
      openLiveFeed: (feed) =>
        openLiveFeed({
          js,
          jsm,
          stream: names.stream,
          subjectPrefix: names.subjectPrefix,
          projectorConsumer: TRACKER_CONSUMER,
          ...feed,
        }),
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      ...(options.maxLiveStreams === undefined ? {} : { maxLiveStreams: options.maxLiveStreams }),
      ...(options.liveDrainTimeoutMs === undefined ? {} : { liveDrainTimeoutMs: options.liveDrainTimeoutMs }),
    });
    // Closed before the projector drains (cleanup runs in reverse): no request reads meanwhile.
    cleanup.push(() => app.close());
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
    logger.info(
      { url, namespace: options.namespace, projector: projector !== undefined },
      'tracker listening',
    );

    let closing: Promise<void> | undefined;
    return {
      url,
      port: address.port,
      app,
      nc,
      names,
      store,
      projector,
      metrics,
      close: () => {
        closing ??= (async () => {
          draining = true;
          await closeAll();
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
