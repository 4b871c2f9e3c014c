import type { AddressInfo } from 'node:net';
import { TokenStore } from '@interco/auth';
import {
  type BusNames,
  busNames,
  connectNats,
  DataKeyStore,
  EventPublisher,
  ensureStream,
  IdempotencyStore,
  ManifestStore,
  readTransferHistory,
  SerialDigester,
  SerialReservations,
  type StreamOptions,
  TransferStore,
  trackConnection,
} from '@interco/bus';
import {
  type ChunkingLimits,
  chunkingFingerprint,
  ErpnextClient,
  type InstanceConfig,
  InstanceRegistry,
  resolveChunkingLimits,
  type SecretBox,
} from '@interco/erpnext';
import { type ServiceMetrics, SUBMIT_OUTCOMES } from '@interco/metrics';
import { createLogger, createServiceMetrics, type Logger } from '@interco/service';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { FastifyInstance } from 'fastify';
import { buildIntakeApp } from './app.js';
import type { IntakeDeps } from './deps.js';
import { evidenceOfStoredKey } from './secret-key/prior-use.js';
import { SecretKeyRotation } from './secret-key/secret-key-rotation.js';
import { holderStateOf } from './transfers/holder-state.js';
import { type LifecycleRetryOptions, startLifecycleConsumer } from './transfers/lifecycle-consumer.js';
import { recoverRequests } from './transfers/recover-requests.js';
import { statusUrlFor } from './transfers/status-url.js';

export interface StartIntakeOptions {
  readonly natsUrl: string;
  /** INTERCO_NAMESPACE: the prefix of every subject, stream and bucket (busNames). */
  readonly namespace: string;
  readonly box: SecretBox;
  readonly bootstrapHash?: string | undefined;
  /** Default 127.0.0.1 and 0 (any free port). */
  readonly host?: string;
  readonly port?: number;
  readonly maxSerials?: number;
  readonly maxItems?: number;
  readonly statusBaseUrl?: string | undefined;
  /** INTAKE_CORS_ORIGINS: browser origins answered with CORS headers (the console's; default none). */
  readonly corsOrigins?: readonly string[];
  /** The chunking limits new transfers are fixed with (default: resolveChunkingLimits({})). */
  readonly chunking?: ChunkingLimits;
  readonly stream?: StreamOptions;
  /** Default: pino at `silent` (pass one to see the logs). */
  readonly logger?: Logger;
  /** How the admin endpoints reach an instance (default: a new ErpnextClient, closed after use). */
  readonly erpnextClient?: (config: InstanceConfig) => ErpnextClient;
  /** How the lifecycle consumer retries an event it cannot handle, and when it gives it up. */
  readonly lifecycleRetry?: LifecycleRetryOptions;
  /**
   * Whether to publish, in the background at start, the request events that records stand for
   * and the stream lacks (recover-requests.ts). Default true.
   */
  readonly recoverOnStart?: boolean;
  /**
   * Served at GET /metrics: transfer requests by outcome, the lifecycle consumer's counts, the
   * admin endpoints' ERPNext calls, the process. Default: a ServiceMetrics of its own.
   */
  readonly metrics?: ServiceMetrics;
}

export interface RunningIntake {
  /** `http://host:port` */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly nc: NatsConnection;
  readonly names: BusNames;
  readonly deps: IntakeDeps;
  /** Graceful: /readyz says not ready, requests in flight finish, the consumer stops, NATS drains. */
  close(): Promise<void>;
}

/**
 * Everything intake runs, wired in-process (main.ts uses it; so do the end-to-end tests): the
 * NATS connection, the stream, the stores, the lifecycle consumer, the HTTP app listening.
 */
export async function startIntake(options: StartIntakeOptions): Promise<RunningIntake> {
  const logger = options.logger ?? createLogger('intake', { level: 'silent' });
  const metrics = options.metrics ?? createServiceMetrics('intake', logger);
  // Every outcome of a transfer request exists from the start, at 0.
  for (const outcome of SUBMIT_OUTCOMES) metrics.transferSubmitted(outcome, 0);
  const names = busNames(options.namespace);
  const nc = await connectNats({ url: options.natsUrl, name: 'interco-intake' });
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
    const tokens = await TokenStore.open(nc, {
      bucket: names.buckets.tokens,
      bootstrapHash: options.bootstrapHash,
      logger,
    });
    cleanup.push(() => tokens.close());
    const registry = await InstanceRegistry.open(nc, options.box, { bucket: names.buckets.instances });
    const transfers = await TransferStore.open(nc, names);
    const manifests = await ManifestStore.open(nc, names, options.box);
    const idempotency = await IdempotencyStore.open(nc, names);
    const reservations = await SerialReservations.open(nc, names, {
      holderState: async (transferId) => holderStateOf((await transfers.get(transferId))?.record, new Date()),
    });
    // The stored serial digest key (the same whatever INTERCO_SECRET_KEY is), created here, by
    // intake only, unless this deployment already ran with one (then it was lost: restore it). A
    // ring that cannot open it fails the start here, with what to do.
    const dataKeys = await DataKeyStore.open(nc, names, options.box);
    const digester = SerialDigester.fromKey(
      await dataKeys.createSerialDigestKey({ priorUse: () => evidenceOfStoredKey({ registry, manifests }) }),
    );
    const publisher = new EventPublisher(js, names);
    const limits = options.chunking ?? resolveChunkingLimits({});

    const lifecycle = await startLifecycleConsumer({
      js,
      jsm,
      stream: names.stream,
      subjectPrefix: names.subjectPrefix,
      transfers,
      manifests,
      reservations,
      digester,
      logger,
      ...(options.lifecycleRetry === undefined ? {} : { retry: options.lifecycleRetry }),
      metrics,
    });
    cleanup.push(() => lifecycle.stop());

    let draining = false;
    const deps: IntakeDeps = {
      logger,
      tokens,
      registry,
      transfers,
      manifests,
      reservations,
      idempotency,
      digester,
      publish: (event) => publisher.publish(event),
      history: async (transferId) =>
        (await readTransferHistory(js, names, transferId)).map((entry) => entry.event),
      caps: {
        maxSerials: options.maxSerials ?? 100_000,
        maxItems: options.maxItems ?? 1000,
      },
      chunking: { limits, fingerprint: chunkingFingerprint(limits) },
      statusUrl: statusUrlFor(options.statusBaseUrl),
      corsOrigins: options.corsOrigins ?? [],
      readiness: () => ({
        nats: connection.connected(),
        lifecycle_consumer: lifecycle.running(),
        not_draining: !draining,
      }),
      // One client per admin call, for a registered instance (the routes read its config from the
      // registry): its requests and failures in the metrics, never a breaker state of its own.
      erpnextClient:
        options.erpnextClient ??
        ((config) => new ErpnextClient(config, { logger, metrics, retry: { maxAttempts: 1 } })),
      metrics,
      secretKey: new SecretKeyRotation({
        box: options.box,
        registry,
        onUnreadable: (record) =>
          logger.warn(record, 'secret-key re-seal: a record cannot be read, left as it is'),
        dataKeys,
        transfers,
        transferIds: () => transfers.ids(),
        manifests,
      }),
    };
    const app = await buildIntakeApp(deps);
    cleanup.push(() => app.close());
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
    logger.info({ url, namespace: options.namespace }, 'intake listening');

    if (options.recoverOnStart ?? true) {
      const stopRecovery = new AbortController();
      const recovery = recoverRequests(
        {
          ids: () => transfers.ids(),
          transfers,
          history: deps.history,
          publish: deps.publish,
          logger,
        },
        stopRecovery.signal,
      ).catch((error: unknown) => logger.warn({ err: error }, 'recovery: the sweep stopped'));
      cleanup.push(async () => {
        stopRecovery.abort();
        await recovery;
      });
    }

    let closing: Promise<void> | undefined;
    return {
      url,
      app,
      nc,
      names,
      deps,
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
